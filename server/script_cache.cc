#include "server/script_cache.h"

namespace tmkv::server {

void ScriptCache::add(const std::string& sha, std::string_view body) {
  std::lock_guard<std::mutex> g(mu_);
  auto [it, inserted] = scripts_.try_emplace(sha, body);
  if (inserted) bytes_ += sha.size() + body.size();
}

std::optional<std::string> ScriptCache::body(const std::string& sha) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = scripts_.find(sha);
  if (it == scripts_.end()) return std::nullopt;
  return it->second;
}

bool ScriptCache::exists(const std::string& sha) const {
  std::lock_guard<std::mutex> g(mu_);
  return scripts_.count(sha) != 0;
}

void ScriptCache::flush() {
  std::lock_guard<std::mutex> g(mu_);
  scripts_.clear();
  bytes_ = 0;
  generation_.fetch_add(1, std::memory_order_release);
}

size_t ScriptCache::count() const {
  std::lock_guard<std::mutex> g(mu_);
  return scripts_.size();
}

size_t ScriptCache::bytes() const {
  std::lock_guard<std::mutex> g(mu_);
  return bytes_;
}

void ScriptCache::started(RunningScript* s) {
  std::lock_guard<std::mutex> g(mu_);
  running_.insert(s);
}

void ScriptCache::finished(RunningScript* s) {
  std::lock_guard<std::mutex> g(mu_);
  running_.erase(s);
}

std::optional<ScriptCache::RunningFunction> ScriptCache::running_function() const {
  std::lock_guard<std::mutex> g(mu_);
  for (const RunningScript* s : running_) {
    if (!s->function) continue;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - s->start);
    return RunningFunction{s->name, s->command, static_cast<int64_t>(ms.count())};
  }
  return std::nullopt;
}

const char* ScriptCache::kill_error(KillResult r) {
  switch (r) {
    case KillResult::kKilled:
      return nullptr;
    case KillResult::kNotBusy:
      return "NOTBUSY No scripts in execution right now.";
    case KillResult::kUnkillable:
      break;
  }
  return "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the "
         "script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
}

ScriptCache::KillResult ScriptCache::kill(bool functions) {
  std::lock_guard<std::mutex> g(mu_);
  bool any = false;
  for (const RunningScript* s : running_) any = any || s->function == functions;
  if (!any) return KillResult::kNotBusy;
  // Every script that has not written: its transaction is then read-only
  // and killing it loses nothing (Redis kills only such scripts too). One
  // that has written is left to finish.
  bool killed = false;
  for (RunningScript* s : running_) {
    if (s->function != functions) continue;
    s->kill.store(true, std::memory_order_seq_cst);
    if (s->wrote.load(std::memory_order_seq_cst)) {
      s->kill.store(false, std::memory_order_seq_cst);  // it wrote: leave it (see RunningScript)
      continue;
    }
    killed = true;
  }
  return killed ? KillResult::kKilled : KillResult::kUnkillable;
}

}  // namespace tmkv::server
