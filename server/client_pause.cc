#include "server/client_pause.h"

#include <thread>
#include <utility>

#include "server/command.h"
#include "store/clock.h"

namespace tmkv::server {

ClientPause::ClientPause(size_t workers) : slots_(workers) {}

ClientPause::Mode ClientPause::mode_of(uint64_t state, int64_t now_ms) {
  const auto mode = static_cast<Mode>(state & 3);
  const auto end = static_cast<int64_t>(state >> 2);
  // As Redis, the pause lasts through its end millisecond.
  return mode == Mode::kNone || now_ms > end ? Mode::kNone : mode;
}

ClientPause::Scope::Scope(ClientPause& p, int worker) : p_(p), worker_(worker) {
  // seq_cst: this mark must come before the read of state_ below in the
  // single total order the pauser's store and slot reads are part of (a
  // release store could be reordered after the load).
  if (worker_ >= 0) {
    std::atomic<uint64_t>& seq = p_.slots_[static_cast<size_t>(worker_)].seq;
    seq.store(seq.load(std::memory_order_relaxed) + 1, std::memory_order_seq_cst);  // owner-only writer
  } else {
    p_.others_.fetch_add(1, std::memory_order_seq_cst);
  }
  const uint64_t state = p_.state_.load(std::memory_order_seq_cst);
  mode_ = state == 0 ? Mode::kNone : mode_of(state, store::system_unix_ms());
}

ClientPause::Scope::~Scope() {
  // release: what the command did is visible to a pauser that acquires the
  // slot's new value (it only needs to know the command is over).
  if (worker_ >= 0) {
    std::atomic<uint64_t>& seq = p_.slots_[static_cast<size_t>(worker_)].seq;
    seq.store(seq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  } else {
    p_.others_.fetch_sub(1, std::memory_order_release);
  }
}

void ClientPause::pause(int64_t end_ms, Mode mode) {
  constexpr int64_t kMaxEnd = (int64_t{1} << 61) - 1;  // fits the state word (far beyond any real clock)
  if (end_ms > kMaxEnd) end_ms = kMaxEnd;
  if (end_ms < 0) end_ms = 0;
  std::lock_guard<std::mutex> g(mu_);
  const uint64_t old = state_.load(std::memory_order_relaxed);  // written under mu_ only
  if (mode_of(old, store::system_unix_ms()) != Mode::kNone) {
    // Redis's pauseClients: the later end, the stricter mode.
    end_ms = std::max(end_ms, static_cast<int64_t>(old >> 2));
    mode = std::max(mode, static_cast<Mode>(old & 3));
  }
  state_.store(pack(end_ms, mode), std::memory_order_seq_cst);  // the handshake's store (file comment)
}

void ClientPause::wait_quiescent() const {
  for (const Slot& s : slots_) {
    const uint64_t seen = s.seq.load(std::memory_order_seq_cst);  // the handshake's read (file comment)
    if ((seen & 1) == 0) continue;
    // That worker was running a command that may not have seen the pause:
    // it finishes without waiting for anything of ours. Any change of the
    // number means it ended (the next one starts after the store).
    while (s.seq.load(std::memory_order_acquire) == seen) std::this_thread::yield();
  }
  while (others_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
}

void ClientPause::resume_all_locked(std::unique_lock<std::mutex>& lock) {
  state_.store(0, std::memory_order_seq_cst);
  std::map<uint64_t, Parked> parked;
  parked.swap(parked_);
  parked_count_.store(0, std::memory_order_relaxed);
  lock.unlock();
  // In parking order; each client runs on its own thread, where posts
  // keep their order.
  for (auto& [ticket, p] : parked) asio::post(p.executor, std::move(p.resume));
}

void ClientPause::unpause() {
  std::unique_lock<std::mutex> lock(mu_);
  resume_all_locked(lock);
}

void ClientPause::end_if_due(int64_t now_ms) {
  // relaxed: a hint; the decision is taken again under mu_.
  const uint64_t state = state_.load(std::memory_order_relaxed);
  if (state == 0 || mode_of(state, now_ms) != Mode::kNone) return;
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t now_state = state_.load(std::memory_order_relaxed);  // written under mu_ only
  if (now_state == 0 || mode_of(now_state, now_ms) != Mode::kNone) return;  // ended, or extended
  resume_all_locked(lock);
}

bool ClientPause::active(int64_t now_ms) const {
  // relaxed: a standalone flag for callers outside the handshake; those
  // that must not overlap a pause (commands, the expiry sweep) read the
  // state through a Scope instead.
  const uint64_t state = state_.load(std::memory_order_relaxed);
  return state != 0 && mode_of(state, now_ms) != Mode::kNone;
}

uint64_t ClientPause::park(bool write, asio::any_io_executor executor, std::function<void()> resume) {
  std::lock_guard<std::mutex> g(mu_);
  // Under mu_, so an end cannot slip between this test and the insertion:
  // either the client parks before the end (and is resumed by it) or it
  // sees the pause over and runs now.
  const Mode mode = mode_of(state_.load(std::memory_order_relaxed), store::system_unix_ms());
  if (mode == Mode::kNone || (mode == Mode::kWrite && !write)) return 0;
  const uint64_t ticket = next_ticket_++;
  parked_.emplace(ticket, Parked{std::move(executor), std::move(resume)});
  parked_count_.store(parked_.size(), std::memory_order_relaxed);
  return ticket;
}

void ClientPause::unpark(uint64_t ticket) {
  std::lock_guard<std::mutex> g(mu_);
  parked_.erase(ticket);
  parked_count_.store(parked_.size(), std::memory_order_relaxed);
}

bool held_by_write_pause(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (spec.flags & (kWrite | kMayReplicate)) return true;
  const std::string_view name = spec.name;
  if (name == "publish" || name == "spublish") return true;  // Redis's "may_replicate"
  if (name == "function" && args.size() > 1) {
    // The FUNCTION subcommands Redis flags "write".
    for (const char* sub : {"load", "delete", "flush", "restore"}) {
      if (equals_ci(args[1], sub)) return true;
    }
  }
  return false;
}

}  // namespace tmkv::server
