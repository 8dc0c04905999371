// SnapshotTransfers: RDB snapshots sent to a client instead of written to
// dbfilename. What SYNC and PSYNC serve to a client that asked for the RDB
// alone (REPLCONF rdb-only 1), which is how `redis-cli --rdb FILE` takes a
// backup of a running server, and `--functions-rdb` (REPLCONF
// rdb-filter-only functions) one of its function libraries only.
//
// HOW. A producer thread captures a snapshot (snapshot.h: the same cut and
// the same writer pause as BGSAVE's), writes it as an RDB file into `dir`
// (temp-sync-<pid>-<n>.rdb, not fsynced), opens it and unlinks it, and
// hands the open file to the connection, which sends it with sendfile(2)
// at the client's pace (connection.cc). Redis's disk-based replication
// does the same; its diskless mode streams from the child instead. We use
// a file so that the capture's epoch pin (which holds back the reclaiming
// of every value replaced meanwhile) ends when the file is written, not
// when a slow client has read it all: a client reading slowly costs disk
// space, not the server's memory. The file is unlinked as soon as it is
// open, so nothing is left in `dir` once the transfer ends, however it
// ends (a crash while writing leaves a temp-sync file, as Redis's
// temp-*.rdb).
//
// LIMITS. At most kMaxTransfers transfers run at once, from SYNC until the
// snapshot is sent or the client is gone (a Slot each); a SYNC beyond that
// is refused with an error and the client may retry. So disk use is at most
// kMaxTransfers snapshots, and the pointer lists of at most that many cuts
// are in memory at once. A client that stops reading holds its slot until
// repl-timeout (Redis's setting, default 60 s) passes without a byte taken;
// then its connection is closed (Connection::should_close), as Redis drops
// a replica that stopped reading.
//
// Not replication: tmkv has no replication stream, so a real replica's
// SYNC or PSYNC (without rdb-only) is refused (cmd_replication.cc).
//
// THREAD SAFETY: every method from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/snapshot.h"

namespace tmkv::server {

class Server;

// An open file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// A written snapshot, ready to send: the open, unlinked file and its size;
// or why there is none.
struct PreparedSnapshot {
  bool ok = false;
  std::string error;  // without the "ERR " prefix
  UniqueFd file;
  uint64_t size = 0;
};

class SnapshotTransfers {
 public:
  static constexpr size_t kMaxTransfers = 4;

  // One of the kMaxTransfers places, held by a connection from SYNC until
  // its transfer ends; released on destruction. Owner thread.
  class Slot {
   public:
    Slot() = default;
    ~Slot() { release(); }
    Slot(Slot&& o) noexcept : active_(o.active_) { o.active_ = nullptr; }
    Slot& operator=(Slot&& o) noexcept {
      if (this != &o) {
        release();
        active_ = o.active_;
        o.active_ = nullptr;
      }
      return *this;
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    void release() {
      // Relaxed: a count, publishing nothing; start() reads it under mu_
      // only to decide whether there is room.
      if (active_ != nullptr) active_->fetch_sub(1, std::memory_order_relaxed);
      active_ = nullptr;
    }

   private:
    friend class SnapshotTransfers;
    explicit Slot(std::atomic<size_t>* active) : active_(active) {}
    std::atomic<size_t>* active_ = nullptr;
  };

  explicit SnapshotTransfers(Server& server) : server_(server) {}
  ~SnapshotTransfers() { stop(); }
  SnapshotTransfers(const SnapshotTransfers&) = delete;
  SnapshotTransfers& operator=(const SnapshotTransfers&) = delete;

  // Called on the producer thread once the file is ready or has failed;
  // it must hand the result on (post it to the connection's thread) and
  // return.
  using Ready = std::function<void(PreparedSnapshot&&)>;
  // Takes a slot into *slot and starts a producer; false with *error if
  // kMaxTransfers are active or the transfers were stopped (shutdown).
  bool start(SnapshotContents contents, Ready ready, Slot* slot, std::string* error);
  // Joins producers that have finished (worker 0's tick, through
  // Persistence::tick).
  void reap();
  // Shutdown: cancels every producer (each still calls its Ready, with an
  // error) and waits for them; start() refuses from then on.
  void stop();

  // SYNC and PSYNC served since startup (INFO's sync_full).
  uint64_t started() const { return started_.load(std::memory_order_relaxed); }
  // Transfers holding a slot (being prepared or sent).
  size_t active() const { return active_.load(std::memory_order_relaxed); }

 private:
  struct Producer {
    std::thread thread;
    // The thread's last act (release); reap() joins it once it reads true
    // (acquire).
    std::atomic<bool> finished{false};
  };
  PreparedSnapshot produce(SnapshotContents contents);

  Server& server_;
  // Set by stop() (relaxed: a flag the writers poll per key; the joins
  // order everything else).
  std::atomic<bool> cancel_{false};
  std::atomic<uint64_t> started_{0};  // relaxed: a statistic
  // Slots held: start() adds under mu_ (so two starts cannot both take the
  // last one); a Slot's release subtracts from any thread.
  std::atomic<size_t> active_{0};
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::list<Producer> producers_;  // a list: a Producer's address is its thread's for its life
  uint64_t temp_counter_ = 0;
  bool stopped_ = false;
};

}  // namespace tmkv::server
