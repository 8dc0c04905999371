// mset / mget: one command over --keys-per-op keys, each key drawn from
// --key-dist. Both are single commands, and each is one multi-key
// transaction in tmkv (atomic in Redis too). mget loads its keys first.
#include <memory>

#include "loadgen/key_chooser.h"
#include "loadgen/sync_client.h"
#include "loadgen/value_source.h"
#include "loadgen/workloads.h"

namespace tmkv::loadgen {

namespace {

class MultiKeyWorkload;

struct MultiKeyThread : ThreadPart {
  MultiKeyThread(const MultiKeyWorkload& w, uint64_t seed) : w(w), rng(seed) {}
  std::unique_ptr<OpRunner> make_runner() override;
  const MultiKeyWorkload& w;
  Rng rng;
};

class MultiKeyWorkload : public Workload {
 public:
  explicit MultiKeyWorkload(const Options& o)
      : o_(o), keys_(o.key_dist), values_(o.value_min, o.value_max, o.seed ^ 0x3e7), set_(o.workload == "mset") {}
  std::string name() const override { return o_.workload; }
  std::vector<std::string> op_names() const override { return {o_.workload}; }
  bool load(SyncClient& client, std::string& error) override {
    return set_ || load_keys(client, o_, values_, error);
  }
  std::unique_ptr<ThreadPart> make_thread_part(uint64_t seed) override {
    return std::make_unique<MultiKeyThread>(*this, seed);
  }

  const Options& o_;
  KeyChooser keys_;
  ValueSource values_;
  bool set_;
};

class MultiKeyRunner : public OpRunner {
 public:
  MultiKeyRunner(const MultiKeyWorkload& w, uint64_t seed) : w_(w), rng_(seed) {}

  Step start(RespEncoder& enc) override {
    const uint32_t k = w_.o_.keys_per_op;
    enc.begin(1 + (w_.set_ ? 2 * k : k));
    enc.arg(w_.set_ ? "MSET" : "MGET");
    for (uint32_t i = 0; i < k; ++i) {
      enc.key_arg(w_.o_.key_prefix, w_.keys_.next(rng_));
      if (w_.set_) enc.arg(w_.values_.next(rng_));
    }
    return Step::send(1);
  }

  Step on_replies(const ReplyBatch& r, RespEncoder&, Outcome& out) override {
    if (r[0].contains_error()) {
      out.error = true;
      out.error_message = r[0].describe();
    }
    return Step::done();
  }

 private:
  const MultiKeyWorkload& w_;
  Rng rng_;
};

std::unique_ptr<OpRunner> MultiKeyThread::make_runner() { return std::make_unique<MultiKeyRunner>(w, rng.fork()); }

}  // namespace

std::unique_ptr<Workload> make_multikey_workload(const Options& opts) {
  return std::make_unique<MultiKeyWorkload>(opts);
}

}  // namespace tmkv::loadgen
