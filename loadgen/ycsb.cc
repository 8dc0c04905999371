// YCSB's core workloads over string keys (one value per key, no fields):
//   ycsb-a  50% read, 50% update           (update = SET of a new value)
//   ycsb-b  95% read,  5% update
//   ycsb-c  100% read
//   ycsb-f  50% read, 50% read-modify-write
// YCSB F's read-modify-write reads a record and writes it back changed; it
// is two separate calls there. Here it is made atomic, which is what a
// transactional store is for: WATCH k; GET k, then MULTI; SET k v'; EXEC,
// retried from WATCH on a nil EXEC (counted as retries); v' keeps the old
// value's length and changes its first byte. Keys follow --key-dist,
// zipfian (theta 0.99) unless told otherwise, as YCSB's default. The load
// phase sets every key first.
#include <memory>

#include "loadgen/key_chooser.h"
#include "loadgen/sync_client.h"
#include "loadgen/value_source.h"
#include "loadgen/workloads.h"

namespace tmkv::loadgen {

namespace {

enum OpType { kRead = 0, kWrite = 1 };  // kWrite: update, or rmw for ycsb-f

class YcsbWorkload;

struct YcsbThread : ThreadPart {
  YcsbThread(const YcsbWorkload& w, uint64_t seed) : w(w), rng(seed) {}
  std::unique_ptr<OpRunner> make_runner() override;
  const YcsbWorkload& w;
  Rng rng;
};

class YcsbWorkload : public Workload {
 public:
  explicit YcsbWorkload(const Options& o)
      : o_(o), keys_(o.key_dist), values_(o.value_min, o.value_max, o.seed ^ 0x7a1e),
        rmw_(o.workload == "ycsb-f"),
        read_fraction_(o.workload == "ycsb-a" ? 0.5 : o.workload == "ycsb-b" ? 0.95 : o.workload == "ycsb-c" ? 1.0 : 0.5) {}
  std::string name() const override { return o_.workload; }
  std::vector<std::string> op_names() const override {
    if (read_fraction_ >= 1.0) return {"read"};
    return {"read", rmw_ ? "read-modify-write" : "update"};
  }
  bool needs_exclusive_connection() const override { return rmw_; }
  bool load(SyncClient& client, std::string& error) override { return load_keys(client, o_, values_, error); }
  std::unique_ptr<ThreadPart> make_thread_part(uint64_t seed) override {
    return std::make_unique<YcsbThread>(*this, seed);
  }

  const Options& o_;
  KeyChooser keys_;
  ValueSource values_;
  bool rmw_;
  double read_fraction_;
};

class YcsbRunner : public OpRunner {
 public:
  YcsbRunner(const YcsbWorkload& w, uint64_t seed) : w_(w), rng_(seed) {}

  Step start(RespEncoder& enc) override {
    key_ = w_.keys_.next(rng_);
    retries_ = 0;
    if (rng_.unit() < w_.read_fraction_) {
      state_ = State::kRead;
      enc.begin(2);
      enc.arg("GET");
      enc.key_arg(w_.o_.key_prefix, key_);
      return Step::send(1);
    }
    if (!w_.rmw_) {
      state_ = State::kUpdate;
      enc.begin(3);
      enc.arg("SET");
      enc.key_arg(w_.o_.key_prefix, key_);
      enc.arg(w_.values_.next(rng_));
      return Step::send(1);
    }
    return watch_and_read(enc);
  }

  Step on_replies(const ReplyBatch& r, RespEncoder& enc, Outcome& out) override {
    out.op_type = state_ == State::kRead ? kRead : kWrite;
    out.retries = retries_;
    if (r.any_error()) {
      out.error = true;
      for (size_t i = 0; i < r.size(); ++i)
        if (r[i].contains_error()) {
          out.error_message = r[i].describe();
          break;
        }
      if (state_ == State::kRmwRead) {  // do not leave the WATCH behind
        state_ = State::kRmwAbandon;
        enc.command({"UNWATCH"});
        return Step::send(1);
      }
      return Step::done();
    }
    switch (state_) {
      case State::kRead:
      case State::kUpdate:
      case State::kRmwAbandon:
        return Step::done();
      case State::kRmwRead: {
        // The modified value: the old one with its first byte changed (a
        // fresh value when the key is missing or empty).
        Reply old = r[1];
        value_.assign(old.type() == ReplyType::kBulk ? old.str() : std::string_view());
        if (value_.empty()) value_.assign(w_.values_.next(rng_));
        else value_[0] = value_[0] == 'x' ? 'y' : 'x';
        state_ = State::kRmwExec;
        enc.command({"MULTI"});
        enc.begin(3);
        enc.arg("SET");
        enc.key_arg(w_.o_.key_prefix, key_);
        enc.arg(value_);
        enc.command({"EXEC"});
        return Step::send(3);
      }
      case State::kRmwExec:
        if (r[2].is_null()) {  // the key changed since WATCH: again
          ++retries_;
          return watch_and_read(enc);
        }
        return Step::done();
    }
    return Step::done();
  }

 private:
  enum class State { kRead, kUpdate, kRmwRead, kRmwExec, kRmwAbandon };

  Step watch_and_read(RespEncoder& enc) {
    state_ = State::kRmwRead;
    enc.begin(2);
    enc.arg("WATCH");
    enc.key_arg(w_.o_.key_prefix, key_);
    enc.begin(2);
    enc.arg("GET");
    enc.key_arg(w_.o_.key_prefix, key_);
    return Step::send(2);
  }

  const YcsbWorkload& w_;
  Rng rng_;
  State state_ = State::kRead;
  uint64_t key_ = 0;
  uint32_t retries_ = 0;
  std::string value_;
};

std::unique_ptr<OpRunner> YcsbThread::make_runner() { return std::make_unique<YcsbRunner>(w, rng.fork()); }

}  // namespace

std::unique_ptr<Workload> make_ycsb_workload(const Options& opts) { return std::make_unique<YcsbWorkload>(opts); }

}  // namespace tmkv::loadgen
