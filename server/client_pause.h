// ClientPause: CLIENT PAUSE / CLIENT UNPAUSE, as Redis 7.0 has them.
//
// WHAT IT DOES. While a pause lasts, the dispatcher holds the commands the
// pause covers (ALL: every command; WRITE: those that may write, see
// held_by_write_pause) after its other checks, as Redis's processCommand:
// the request stays unconsumed in the connection's buffer, the client
// parks here (no thread, no CPU), and when the pause ends (its time or
// CLIENT UNPAUSE) every parked client is told, on its own I/O thread, to run
// its buffered requests again, in order. Expiry (the sweep and lazy
// deletes) and eviction stop for the pause, as in Redis.
//
// THE GUARANTEE, and the handshake behind it. Once CLIENT PAUSE has replied,
// no write starts or commits on any thread until the pause ends: every
// command runs inside a Scope, which marks its worker's slot busy (an odd
// sequence number) and only then reads the pause state; CLIENT PAUSE stores
// the state and only then (wait_quiescent) waits for every slot it sees busy
// to move on. Both sides are seq_cst, so in their single total order either
// the command's mark precedes the pauser's read of the slot (the pauser
// waits for it) or the pauser's store precedes the command's read (the
// command sees the pause and is held). The pauser waits after its own
// command left its Scope, so two pausers never wait for each other.
//
// Threads: the state word and the slots are atomics (see each); the parked
// list is guarded by mu_, which also orders pause/unpause/end against each
// other and against park().
#pragma once

#include <asio.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

namespace tmkv::server {

struct CommandSpec;

class ClientPause {
 public:
  enum class Mode : uint8_t { kNone = 0, kWrite = 1, kAll = 2 };

  explicit ClientPause(size_t workers);

  // One command (or expiry sweep) running on worker `worker` (-1: not an
  // I/O thread). Marks it in flight, then reads the pause (see the file
  // comment); the mark is removed when the Scope ends.
  class Scope {
   public:
    Scope(ClientPause& p, int worker);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    // The pause in force when the scope began (kNone once its end passed).
    Mode mode() const { return mode_; }

   private:
    ClientPause& p_;
    const int worker_;
    Mode mode_;
  };

  // CLIENT PAUSE: pauses until end_ms (Unix ms) in `mode`; a pause already
  // in force keeps the later end and the stricter mode, as Redis.
  void pause(int64_t end_ms, Mode mode);
  // After CLIENT PAUSE's own Scope ended: returns once every command that
  // was running on another thread when the pause was stored has finished.
  void wait_quiescent() const;
  // CLIENT UNPAUSE, and the end of a pause's time (end_if_due, from every
  // worker's tick): clears the pause and resumes the parked clients.
  void unpause();
  void end_if_due(int64_t now_ms);
  // Whether a pause is in force now (expiry and eviction stop for it).
  bool active(int64_t now_ms) const;

  // A client whose command was held: `resume` is posted to `executor` when
  // the pause ends. Returns a ticket for unpark, or 0 if the pause no
  // longer holds such a command (`write`: it was held as a write): the
  // caller runs it now.
  uint64_t park(bool write, asio::any_io_executor executor, std::function<void()> resume);
  // The parked client went away (disconnect, shutdown) before the end.
  void unpark(uint64_t ticket);
  // Parked clients (INFO's blocked_clients counts them, as Redis).
  size_t parked() const { return parked_count_.load(std::memory_order_relaxed); }

 private:
  struct alignas(64) Slot {
    // Odd while a command runs on this worker. Written by its worker only;
    // read by a pauser (see the file comment for the orders).
    std::atomic<uint64_t> seq{0};
  };
  struct Parked {
    asio::any_io_executor executor;
    std::function<void()> resume;
  };

  static uint64_t pack(int64_t end_ms, Mode mode) { return (static_cast<uint64_t>(end_ms) << 2) | static_cast<uint64_t>(mode); }
  static Mode mode_of(uint64_t state, int64_t now_ms);
  void resume_all_locked(std::unique_lock<std::mutex>& lock);

  // The pause: its end (Unix ms) << 2 | its Mode, in one word so a reader
  // never sees one pause's mode with another's end; 0: none. Stored only
  // under mu_, seq_cst (the handshake); read lock-free by every command.
  std::atomic<uint64_t> state_{0};
  std::vector<Slot> slots_;  // one per worker; immutable size
  // Commands running on other threads (not I/O workers; tests and tools):
  // a count, incremented seq_cst before their read of state_, as the slots.
  alignas(64) std::atomic<uint64_t> others_{0};
  mutable std::mutex mu_;
  std::map<uint64_t, Parked> parked_;  // by ticket, in parking order; guarded by mu_
  uint64_t next_ticket_ = 1;           // guarded by mu_
  // parked_.size(), mirrored for INFO (relaxed: a standalone statistic).
  std::atomic<size_t> parked_count_{0};
};

// Redis's "may replicate" test for a WRITE pause: write commands, scripts
// and functions that are not read-only, PFCOUNT, PUBLISH and SPUBLISH, and
// the writing FUNCTION subcommands. (The dispatcher adds an EXEC whose
// queue holds any of them.)
bool held_by_write_pause(const CommandSpec& spec, std::span<const std::string_view> args);

}  // namespace tmkv::server
