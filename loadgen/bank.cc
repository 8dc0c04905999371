#include "loadgen/bank.h"

#include <algorithm>
#include <numeric>

#include "loadgen/sync_client.h"

namespace tmkv::loadgen {

namespace {

enum OpType { kTransfer = 0, kDeclined = 1, kReport = 2 };
constexpr size_t kMaxViolationTexts = 20;

class BankWorkload;

// Per worker thread: what its transfers committed and what its reports saw.
struct BankThread : ThreadPart {
  BankThread(const BankWorkload& w, uint64_t seed);
  std::unique_ptr<OpRunner> make_runner() override;

  void violation(std::string text) {
    ++violations;
    if (violation_texts.size() < kMaxViolationTexts) violation_texts.push_back(std::move(text));
  }

  const BankWorkload& w;
  Rng rng;
  std::vector<int64_t> deltas;  // per account: net committed change
  uint64_t committed = 0, retries = 0, declined = 0, reports = 0, violations = 0;
  std::vector<std::string> violation_texts;
};

class BankWorkload : public Workload {
 public:
  explicit BankWorkload(const Options& o) : o_(o), keys_(o.key_dist) {}
  std::string name() const override { return "bank"; }
  std::vector<std::string> op_names() const override { return {"transfer", "transfer-declined", "report"}; }
  bool needs_exclusive_connection() const override { return true; }
  bool load(SyncClient& client, std::string& error) override;
  std::unique_ptr<ThreadPart> make_thread_part(uint64_t seed) override {
    return std::make_unique<BankThread>(*this, seed);
  }
  Verification verify(SyncClient& client, const std::vector<ThreadPart*>& parts, bool complete) override;
  std::vector<std::pair<std::string, double>> extra_numbers(const std::vector<ThreadPart*>& parts) override;

  const Options& o_;
  KeyChooser keys_;
  uint64_t accounts() const { return o_.key_count; }
  int64_t total() const { return static_cast<int64_t>(accounts()) * o_.initial_balance; }
};

class BankRunner : public OpRunner {
 public:
  BankRunner(BankThread& t, uint64_t seed) : t_(t), w_(t.w), rng_(seed) {}

  Step start(RespEncoder& enc) override {
    retries_ = 0;
    if (rng_.unit() < w_.o_.report_ratio) return start_report(enc);
    src_ = w_.keys_.next(rng_);
    do dst_ = w_.keys_.next(rng_);
    while (dst_ == src_);
    amount_ = rng_.between(1, w_.o_.max_amount);
    if (w_.o_.unsafe_transfers) {
      state_ = State::kUnsafeRead;
      get(enc, src_);
      return Step::send(1);
    }
    return send_watch_and_reads(enc);
  }

  Step on_replies(const ReplyBatch& r, RespEncoder& enc, Outcome& out) override {
    if (r.any_error()) return fail(r, out);
    switch (state_) {
      case State::kRead: return after_reads(r, enc, out);
      case State::kExec: return after_exec(r, enc, out);
      case State::kUnwatch: out.op_type = kDeclined; return Step::done();
      case State::kReport: return after_report(r, out);
      case State::kUnsafeRead: {
        if (!balance(r[0], src_, bal_src_)) return broken(out);
        if (bal_src_ < amount_) {
          ++t_.declined;
          out.op_type = kDeclined;
          return Step::done();
        }
        state_ = State::kUnsafeDebit;
        enc.begin(3);
        enc.arg("DECRBY");
        key(enc, src_);
        enc.arg(amount_);
        return Step::send(1);
      }
      case State::kUnsafeDebit:
        state_ = State::kUnsafeCredit;
        return Step::pause(std::max<uint32_t>(w_.o_.unsafe_pause_us, 1));
      case State::kUnsafeCredit:
        commit(out);
        return Step::done();
    }
    return Step::done();
  }

  Step resume(RespEncoder& enc, Outcome&) override {  // the unsafe transfer's pause is over
    enc.begin(3);
    enc.arg("INCRBY");
    key(enc, dst_);
    enc.arg(amount_);
    return Step::send(1);
  }

 private:
  enum class State { kRead, kExec, kUnwatch, kReport, kUnsafeRead, kUnsafeDebit, kUnsafeCredit };

  void key(RespEncoder& enc, uint64_t account) { enc.key_arg(w_.o_.key_prefix, account); }
  void get(RespEncoder& enc, uint64_t account) {
    enc.begin(2);
    enc.arg("GET");
    key(enc, account);
  }

  Step send_watch_and_reads(RespEncoder& enc) {
    state_ = State::kRead;
    enc.begin(3);
    enc.arg("WATCH");
    key(enc, src_);
    key(enc, dst_);
    get(enc, src_);
    get(enc, dst_);
    return Step::send(3);
  }

  // A balance must be present, an integer and not negative.
  bool balance(Reply r, uint64_t account, int64_t& out) {
    if (!r.as_int(out)) {
      t_.violation("account " + w_.o_.key_prefix + std::to_string(account) + " read as " + r.describe() +
                   " (not an integer balance; was the load phase skipped?)");
      return false;
    }
    if (out < 0) {
      t_.violation("transfer read a negative balance: " + w_.o_.key_prefix + std::to_string(account) + " = " +
                   std::to_string(out));
      return false;
    }
    return true;
  }

  Step after_reads(const ReplyBatch& r, RespEncoder& enc, Outcome& out) {
    if (!balance(r[1], src_, bal_src_) || !balance(r[2], dst_, bal_dst_)) {
      enc.command({"UNWATCH"});
      state_ = State::kUnwatch;
      return Step::send(1);  // finishes as declined; the violation fails the run
    }
    if (bal_src_ < amount_) {
      ++t_.declined;
      enc.command({"UNWATCH"});
      state_ = State::kUnwatch;
      (void)out;
      return Step::send(1);
    }
    state_ = State::kExec;
    enc.command({"MULTI"});
    enc.begin(3);
    enc.arg("DECRBY");
    key(enc, src_);
    enc.arg(amount_);
    enc.begin(3);
    enc.arg("INCRBY");
    key(enc, dst_);
    enc.arg(amount_);
    enc.command({"EXEC"});
    return Step::send(4);
  }

  Step after_exec(const ReplyBatch& r, RespEncoder& enc, Outcome& out) {
    Reply exec = r[3];
    if (exec.is_null()) {  // a WATCHed account changed: read again and retry
      ++retries_;
      ++t_.retries;
      return send_watch_and_reads(enc);
    }
    int64_t new_src = 0, new_dst = 0;
    if (!exec.is_array() || exec.size() != 2 || !exec[0].as_int(new_src) || !exec[1].as_int(new_dst) ||
        new_src != bal_src_ - amount_ || new_dst != bal_dst_ + amount_) {
      t_.violation("EXEC of a transfer of " + std::to_string(amount_) + " after WATCHed reads " +
                   std::to_string(bal_src_) + ", " + std::to_string(bal_dst_) + " replied " + exec.describe() +
                   " (expected [" + std::to_string(bal_src_ - amount_) + ", " + std::to_string(bal_dst_ + amount_) +
                   "])");
    }
    commit(out);
    return Step::done();
  }

  void commit(Outcome& out) {
    t_.deltas[src_] -= amount_;
    t_.deltas[dst_] += amount_;
    ++t_.committed;
    out.op_type = kTransfer;
    out.retries = retries_;
  }

  Step start_report(RespEncoder& enc) {
    state_ = State::kReport;
    report_mget_ = !report_mget_;
    const uint64_t n = w_.accounts();
    enc.command({"MULTI"});
    if (report_mget_) {
      enc.begin(n + 1);
      enc.arg("MGET");
      for (uint64_t a = 0; a < n; ++a) key(enc, a);
    } else {
      for (uint64_t a = 0; a < n; ++a) get(enc, a);
    }
    enc.command({"EXEC"});
    return Step::send(static_cast<uint32_t>(report_mget_ ? 3 : n + 2));
  }

  Step after_report(const ReplyBatch& r, Outcome& out) {
    out.op_type = kReport;
    Reply exec = r[r.size() - 1];
    const uint64_t n = w_.accounts();
    Reply values = report_mget_ && exec.is_array() && exec.size() == 1 ? exec[0] : exec;
    if (!values.is_array() || values.size() != n) {
      t_.violation("a report's EXEC replied " + exec.describe() + ", not " + std::to_string(n) + " balances");
      return Step::done();
    }
    ++t_.reports;
    int64_t sum = 0, negatives = 0, v = 0;
    std::string problems;
    Reply e = values.first();
    for (uint64_t a = 0; a < n; ++a, e = e.next()) {
      if (!e.as_int(v)) {
        problems = "account " + std::to_string(a) + " is " + e.describe();
        break;
      }
      sum += v;
      negatives += v < 0;
    }
    if (problems.empty() && sum != w_.total())
      problems = "total " + std::to_string(sum) + " != " + std::to_string(w_.total()) + " (" +
                 std::to_string(sum - w_.total()) + " in flight)";
    if (problems.empty() && negatives > 0) problems = std::to_string(negatives) + " negative balances";
    if (!problems.empty())
      t_.violation(std::string("report (") + (report_mget_ ? "MULTI/MGET/EXEC" : "MULTI/GET.../EXEC") +
                   ") saw " + problems);
    return Step::done();
  }

  Step fail(const ReplyBatch& r, Outcome& out) {
    out.error = true;
    out.op_type = state_ == State::kReport ? kReport : kTransfer;
    for (size_t i = 0; i < r.size(); ++i)
      if (r[i].contains_error()) {
        out.error_message = r[i].describe();
        break;
      }
    // A transfer that got an error may still hold its WATCH; that only makes
    // this connection's next EXEC fail once more, which it retries.
    return Step::done();
  }

  Step broken(Outcome& out) {
    out.op_type = kDeclined;
    return Step::done();
  }

  BankThread& t_;
  const BankWorkload& w_;
  Rng rng_;
  State state_ = State::kRead;
  uint64_t src_ = 0, dst_ = 0;
  int64_t amount_ = 0, bal_src_ = 0, bal_dst_ = 0;
  uint32_t retries_ = 0;
  bool report_mget_ = false;
};

BankThread::BankThread(const BankWorkload& bw, uint64_t seed) : w(bw), rng(seed), deltas(bw.accounts(), 0) {}

std::unique_ptr<OpRunner> BankThread::make_runner() { return std::make_unique<BankRunner>(*this, rng.fork()); }

constexpr uint64_t kChunk = 1000;  // accounts per MSET / MGET in load and verify

bool BankWorkload::load(SyncClient& client, std::string& error) {
  std::string req;
  uint64_t commands = 0;
  const std::string balance = std::to_string(o_.initial_balance);
  for (uint64_t first = 0; first < accounts(); first += kChunk) {
    const uint64_t last = std::min(accounts(), first + kChunk);
    RespEncoder enc(req);
    enc.begin(1 + 2 * (last - first));
    enc.arg("MSET");
    for (uint64_t a = first; a < last; ++a) {
      enc.key_arg(o_.key_prefix, a);
      enc.arg(balance);
    }
    ++commands;
  }
  return client.exchange(req, commands, error) && client.no_errors(commands, "MSET", error);
}

Verification BankWorkload::verify(SyncClient& client, const std::vector<ThreadPart*>& parts, bool complete) {
  Verification v;
  v.ran = true;
  auto bad = [&](std::string line) {
    v.ok = false;
    v.lines.push_back("FAILED: " + std::move(line));
  };
  // Everything the clients saw.
  std::vector<int64_t> deltas(accounts(), 0);
  uint64_t committed = 0, reports = 0, violations = 0;
  std::vector<std::string> texts;
  for (ThreadPart* p : parts) {
    auto* t = static_cast<BankThread*>(p);
    for (uint64_t a = 0; a < accounts(); ++a) deltas[a] += t->deltas[a];
    committed += t->committed;
    reports += t->reports;
    violations += t->violations;
    for (auto& s : t->violation_texts)
      if (texts.size() < 5) texts.push_back(s);
  }
  // One consistent read of every account: MULTI, MGETs, EXEC.
  std::string req;
  RespEncoder enc(req);
  enc.command({"MULTI"});
  uint64_t chunks = 0;
  for (uint64_t first = 0; first < accounts(); first += kChunk, ++chunks) {
    const uint64_t last = std::min(accounts(), first + kChunk);
    enc.begin(1 + last - first);
    enc.arg("MGET");
    for (uint64_t a = first; a < last; ++a) enc.key_arg(o_.key_prefix, a);
  }
  enc.command({"EXEC"});
  std::string error;
  if (!client.exchange(req, chunks + 2, error)) {
    bad("could not read the accounts after the run: " + error);
    return v;
  }
  Reply exec = client.reply(chunks + 1);
  if (!exec.is_array() || exec.size() != chunks) {
    bad("the final read's EXEC replied " + exec.describe());
    return v;
  }
  int64_t sum = 0;
  uint64_t negatives = 0, differ = 0, unreadable = 0;
  std::string example_neg, example_diff;
  uint64_t a = 0;
  for (Reply chunk = exec.first(); a < accounts(); chunk = chunk.next()) {
    Reply e = chunk.first();
    for (size_t i = 0; i < chunk.size(); ++i, ++a, e = e.next()) {
      int64_t bal = 0;
      if (!e.as_int(bal)) {
        ++unreadable;
        continue;
      }
      sum += bal;
      if (bal < 0 && negatives++ == 0) example_neg = o_.key_prefix + std::to_string(a) + " = " + std::to_string(bal);
      if (bal != o_.initial_balance + deltas[a] && differ++ == 0)
        example_diff = o_.key_prefix + std::to_string(a) + " = " + std::to_string(bal) + ", expected " +
                       std::to_string(o_.initial_balance + deltas[a]);
    }
  }
  const std::string n = std::to_string(accounts());
  if (unreadable) bad(std::to_string(unreadable) + " of " + n + " accounts are missing or not integers");
  if (sum == total()) v.lines.push_back("total conserved: " + std::to_string(sum) + " over " + n + " accounts");
  else bad("total is " + std::to_string(sum) + ", expected " + std::to_string(total()));
  if (negatives == 0) v.lines.push_back("no negative balance");
  else bad(std::to_string(negatives) + " negative balances, e.g. " + example_neg);
  if (!complete) {
    v.lines.push_back("per-account check skipped: some operations were cut off unfinished");
  } else if (differ == 0) {
    v.lines.push_back("every balance = initial + the transfers clients saw commit");
  } else {
    bad(std::to_string(differ) + " balances differ from initial + committed transfers, e.g. " + example_diff);
  }
  if (violations == 0) {
    v.lines.push_back(std::to_string(reports) + " reports, all consistent");
  } else {
    bad(std::to_string(violations) + " inconsistencies seen during the run (" + std::to_string(reports) +
        " reports), e.g.:");
    for (auto& t : texts) v.lines.push_back("  " + t);
  }
  if (committed == 0) bad("no transfer committed, so nothing was tested");
  if (reports == 0 && o_.report_ratio > 0) v.lines.push_back("warning: no report ran (short run?)");
  return v;
}

std::vector<std::pair<std::string, double>> BankWorkload::extra_numbers(const std::vector<ThreadPart*>& parts) {
  uint64_t committed = 0, retries = 0, declined = 0, reports = 0, violations = 0;
  for (ThreadPart* p : parts) {
    auto* t = static_cast<BankThread*>(p);
    committed += t->committed;
    retries += t->retries;
    declined += t->declined;
    reports += t->reports;
    violations += t->violations;
  }
  return {{"transfers_committed", static_cast<double>(committed)},
          {"transfer_retries", static_cast<double>(retries)},
          {"retries_per_transfer", committed ? static_cast<double>(retries) / static_cast<double>(committed) : 0.0},
          {"transfers_declined", static_cast<double>(declined)},
          {"reports", static_cast<double>(reports)},
          {"violations", static_cast<double>(violations)}};
}

}  // namespace

std::unique_ptr<Workload> make_bank_workload(const Options& opts) { return std::make_unique<BankWorkload>(opts); }

}  // namespace tmkv::loadgen
