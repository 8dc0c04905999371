// Persistence: RDB snapshot files, as Redis keeps them. SAVE, BGSAVE, the
// `save` points, SHUTDOWN's save, and loading the file at startup.
//
// A save captures a consistent cut of the keyspace (snapshot.h) and writes
// it (rdb_file.h) to a temporary file in `dir`, fsyncs it and renames it
// over `dir`/`dbfilename`, so the file is always a whole snapshot: the old
// one or the new one. SAVE does this on the calling client's I/O thread
// (Redis's SAVE blocks the whole server; here only that thread's clients
// wait). BGSAVE does it on a thread of its own while every client is
// served; only the capture pauses writers (snapshot.h, COST), and BGSAVE
// replies once the capture is done, so the file holds every write that
// committed before the reply and none sent after it.
//
// One save runs at a time. A background save that ends is joined, and its
// result recorded, by worker 0's tick (tick()), which also starts the save
// the save points call for (Redis's serverCron rules: at least `changes`
// changes and more than `seconds` since the last successful save; after a
// failure, a retry waits 5 seconds).
//
// CHANGES ("dirty"): every committed keyspace write event counts one
// (Client::changes_pending, summed per worker in WorkerStats::changes);
// rdb_changes_since_last_save is that total minus its value when the last
// successful save captured its snapshot.
//
// THREAD SAFETY: every method from any thread. mu_ guards the bookkeeping;
// running_ lets one save in at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "server/snapshot_transfer.h"

namespace tmkv::server {

class Server;
struct ServerConfig;
struct RdbWriteOptions;

// `dir`, "." when unset.
std::string rdb_dir(const ServerConfig& cfg);
// How the configuration says RDB files are written (rdbcompression,
// rdbchecksum, rdb-key-save-delay) and their header fields.
RdbWriteOptions rdb_write_options(const ServerConfig& cfg, const Server& server);

// Redis's refusal of writes after a failed background save (MISCONF).
inline constexpr std::string_view kMisconfError =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands "
    "that may modify the data set are disabled, because this instance is configured to report errors during "
    "writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for "
    "details about the RDB error.";

class Persistence {
 public:
  explicit Persistence(Server& server);
  ~Persistence();  // cancels a background save and waits for it
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  // At startup, before clients: loads `dir`/`dbfilename` if it exists.
  // false with *error if it exists but cannot be read whole (the server
  // must then not start: serving a partial dataset would lose the rest at
  // the next save).
  bool load(std::string* error);

  // SAVE: on the calling thread. false with *error (Redis's texts).
  bool save(std::string* error);
  enum class BgsaveStart { kStarted, kAlreadyRunning, kScheduled };
  // BGSAVE: starts a background save, or refuses if one runs.
  // `schedule` (BGSAVE inside EXEC): the next tick starts it instead, once
  // no save runs.
  BgsaveStart bgsave(bool schedule);
  // A save (SAVE or BGSAVE) is running.
  bool in_progress() const { return running_.load(std::memory_order_acquire); }
  // Worker 0's tick: see the class comment.
  void tick();
  // Shutdown: stops a background save (its temporary file is removed) and
  // waits for it; then save() may run.
  void stop_background();

  // How the process's end saves (main() calls final_save() once every
  // worker has stopped, so no write is lost after it): SHUTDOWN SAVE or
  // NOSAVE choose; SIGTERM, SIGINT and a plain SHUTDOWN leave kDefault,
  // which saves when save points are configured.
  enum class FinalSave { kDefault, kSave, kNoSave };
  void set_final_save(FinalSave mode) { final_save_mode_.store(mode, std::memory_order_relaxed); }
  // After the workers stopped: saves as the mode says, skipping a save
  // when SHUTDOWN saved already and nothing changed since. false with
  // *error if the save failed.
  bool final_save(std::string* error);

  // After a FLUSHALL committed: with save points set, stops a background
  // save and saves the (empty) dataset at once, on the calling thread, as
  // Redis's FLUSHALL does (not counted in rdb_saves, as there).
  void after_flushall();

  // MISCONF: a background save failed, save points are configured and
  // stop-writes-on-bgsave-error is on.
  bool writes_refused() const;

  struct Info {
    bool in_progress = false;
    uint64_t changes_since_last_save = 0;
    int64_t last_save_unix = 0;
    bool last_bgsave_ok = true;
    int64_t last_bgsave_seconds = -1;
    int64_t current_bgsave_seconds = -1;
    uint64_t saves = 0;
    uint64_t last_load_keys_loaded = 0, last_load_keys_expired = 0;
    uint64_t latest_pause_us = 0;  // INFO's latest_fork_usec (snapshot.h, COST)
    uint64_t snapshots = 0;        // INFO's total_forks
  };
  Info info() const;
  int64_t last_save_unix() const;

  // Snapshots sent to clients (SYNC and PSYNC with rdb-only); tick()
  // reaps their finished producers. The server stops them before its
  // workers' io_contexts go (they post to them).
  SnapshotTransfers& transfers() { return transfers_; }
  const SnapshotTransfers& transfers() const { return transfers_; }

 private:
  // Captures and writes a snapshot; on success renames it into place.
  // `captured`, if given, is set once the snapshot is taken.
  // `counted`: in rdb_saves (SAVE and BGSAVE are; FLUSHALL's is not).
  bool save_to_disk(std::string* error, std::promise<void>* captured = nullptr, bool counted = true);
  bool save_counted(std::string* error, bool counted);
  // Starts the background save; the future is ready once it has taken its
  // snapshot. REQUIRES running_ taken, mu_ held.
  std::future<void> start_thread();
  void join_finished();  // REQUIRES mu_ held

  Server& server_;
  std::atomic<bool> running_{false};   // a save (SAVE or BGSAVE) holds it: test-and-set
  std::atomic<bool> cancel_{false};    // stop_background(): the writer checks it per key
  std::atomic<bool> bg_finished_{false};  // the thread's last act; tick() joins it
  // !last_bgsave_ok_, for writes_refused() on every command without mu_;
  // relaxed: a standalone flag, a command may see the change a request late.
  std::atomic<bool> bgsave_failed_{false};
  std::atomic<FinalSave> final_save_mode_{FinalSave::kDefault};  // relaxed: read after the workers joined

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::thread thread_;
  bool bg_ok_ = true;                // the finished thread's result
  bool scheduled_ = false;
  bool last_bgsave_ok_ = true;
  int64_t last_save_unix_;           // last successful save (start time until one)
  int64_t last_bgsave_try_unix_ = 0;
  int64_t bg_started_ms_ = 0;        // 0 when none runs
  int64_t last_bgsave_seconds_ = -1;
  uint64_t saves_ = 0;
  uint64_t changes_at_last_save_ = 0;
  uint64_t changes_at_capture_ = 0;  // the running save's
  uint64_t loaded_ = 0, load_expired_ = 0;
  uint64_t latest_pause_us_ = 0, snapshots_ = 0;
  uint64_t temp_counter_ = 0;

  SnapshotTransfers transfers_{server_};
};

}  // namespace tmkv::server
