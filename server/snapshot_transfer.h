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
// LIMIT. At most kMaxPreparing snapshots are being written at once; a SYNC
// beyond that is refused with an error (the client may retry). Sending has
// no limit beyond maxclients: it holds a file descriptor and the file's
// blocks, no memory.
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
  static constexpr size_t kMaxPreparing = 4;

  explicit SnapshotTransfers(Server& server) : server_(server) {}
  ~SnapshotTransfers() { stop(); }
  SnapshotTransfers(const SnapshotTransfers&) = delete;
  SnapshotTransfers& operator=(const SnapshotTransfers&) = delete;

  // Called on the producer thread once the file is ready or has failed;
  // it must hand the result on (post it to the connection's thread) and
  // return.
  using Ready = std::function<void(PreparedSnapshot&&)>;
  // Starts a producer; false with *error if kMaxPreparing already run or
  // the transfers were stopped (shutdown).
  bool start(SnapshotContents contents, Ready ready, std::string* error);
  // Joins producers that have finished (worker 0's tick, through
  // Persistence::tick).
  void reap();
  // Shutdown: cancels every producer (each still calls its Ready, with an
  // error) and waits for them; start() refuses from then on.
  void stop();

  // SYNC and PSYNC served since startup (INFO's sync_full).
  uint64_t started() const { return started_.load(std::memory_order_relaxed); }
  size_t preparing() const;

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
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::list<Producer> producers_;  // a list: a Producer's address is its thread's for its life
  uint64_t temp_counter_ = 0;
  bool stopped_ = false;
};

}  // namespace tmkv::server
