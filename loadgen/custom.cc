// The custom workload: each operation picks one --command template at
// random (uniformly) and sends its commands as one batch. Every template
// is its own operation type in the report. No load phase.
#include <memory>

#include "loadgen/command_template.h"
#include "loadgen/key_chooser.h"
#include "loadgen/value_source.h"
#include "loadgen/workloads.h"

namespace tmkv::loadgen {

namespace {

class CustomWorkload;

struct CustomThread : ThreadPart {
  CustomThread(const CustomWorkload& w, uint64_t seed) : w(w), rng(seed) {}
  std::unique_ptr<OpRunner> make_runner() override;
  const CustomWorkload& w;
  Rng rng;
};

class CustomWorkload : public Workload {
 public:
  CustomWorkload(const Options& o, std::vector<CommandTemplate> t)
      : o_(o), keys_(o.key_dist), values_(o.value_min, o.value_max, o.seed ^ 0xc057), templates_(std::move(t)) {}
  std::string name() const override { return "custom"; }
  std::vector<std::string> op_names() const override {
    std::vector<std::string> names;
    for (auto& t : templates_) names.push_back(t.source);
    return names;
  }
  std::unique_ptr<ThreadPart> make_thread_part(uint64_t seed) override {
    return std::make_unique<CustomThread>(*this, seed);
  }

  const Options& o_;
  KeyChooser keys_;
  ValueSource values_;
  std::vector<CommandTemplate> templates_;
};

class CustomRunner : public OpRunner {
 public:
  CustomRunner(const CustomWorkload& w, uint64_t seed) : w_(w), rng_(seed) {}

  Step start(RespEncoder& enc) override {
    which_ = static_cast<int>(w_.templates_.size() == 1 ? 0 : rng_.below(w_.templates_.size()));
    const CommandTemplate& t = w_.templates_[static_cast<size_t>(which_)];
    for (int i = 0; i < t.key_slots; ++i) keys_[i] = w_.keys_.next(rng_);
    for (const auto& cmd : t.commands) {
      enc.begin(cmd.size());
      for (const auto& arg : cmd) encode(enc, arg);
    }
    return Step::send(static_cast<uint32_t>(t.commands.size()));
  }

  Step on_replies(const ReplyBatch& r, RespEncoder&, Outcome& out) override {
    out.op_type = which_;
    for (size_t i = 0; i < r.size(); ++i)
      if (r[i].contains_error()) {
        out.error = true;
        out.error_message = r[i].describe();
        break;
      }
    return Step::done();
  }

 private:
  void encode(RespEncoder& enc, const TemplateArg& arg) {
    if (arg.parts.size() == 1) {  // the common cases, without building a string
      const TemplatePart& p = arg.parts[0];
      switch (p.kind) {
        case TemplatePart::kLiteral: return enc.arg(p.text);
        case TemplatePart::kKey: return enc.key_arg(w_.o_.key_prefix, keys_[p.key_slot]);
        case TemplatePart::kValue: return enc.arg(w_.values_.next(rng_));
        case TemplatePart::kRandInt: return enc.arg(static_cast<int64_t>(rng_.below(w_.o_.key_count)));
      }
    }
    scratch_.clear();
    for (const TemplatePart& p : arg.parts) {
      switch (p.kind) {
        case TemplatePart::kLiteral: scratch_ += p.text; break;
        case TemplatePart::kKey: scratch_ += w_.o_.key_prefix + std::to_string(keys_[p.key_slot]); break;
        case TemplatePart::kValue: scratch_ += w_.values_.next(rng_); break;
        case TemplatePart::kRandInt: scratch_ += std::to_string(rng_.below(w_.o_.key_count)); break;
      }
    }
    enc.arg(scratch_);
  }

  const CustomWorkload& w_;
  Rng rng_;
  int which_ = 0;
  uint64_t keys_[10] = {};
  std::string scratch_;
};

std::unique_ptr<OpRunner> CustomThread::make_runner() { return std::make_unique<CustomRunner>(w, rng.fork()); }

}  // namespace

std::unique_ptr<Workload> make_custom_workload(const Options& opts, std::string& error) {
  std::vector<CommandTemplate> templates;
  for (const auto& text : opts.commands) {
    CommandTemplate t;
    if (!parse_command_template(text, t, error)) return nullptr;
    templates.push_back(std::move(t));
  }
  return std::make_unique<CustomWorkload>(opts, std::move(templates));
}

}  // namespace tmkv::loadgen
