#include "server/persistence.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "htm/atomically.h"
#include "server/eviction.h"
#include "server/function_registry.h"
#include "server/rdb_file.h"
#include "server/rdb_value.h"
#include "server/server.h"
#include "server/snapshot.h"
#include "store/access_clock.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

constexpr int64_t kBgsaveRetryDelaySeconds = 5;  // Redis's CONFIG_BGSAVE_RETRY_DELAY

int64_t unix_now() { return store::system_unix_ms() / 1000; }

}  // namespace

std::string rdb_dir(const ServerConfig& cfg) { return cfg.dir.empty() ? std::string(".") : cfg.dir; }

RdbWriteOptions rdb_write_options(const ServerConfig& cfg, const Server& server) {
  RdbWriteOptions options;
  options.compression = cfg.rdbcompression;
  options.checksum = cfg.rdbchecksum;
  options.key_delay_us = cfg.rdb_key_save_delay_us;
  options.redis_version = "7.0.0";  // INFO's redis_version
  options.used_memory = server.used_memory();
  return options;
}

namespace {

// Makes a rename in dir durable (Redis's fsyncFileDir).
void fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// The file's bytes; false with errno set.
bool read_whole_file(const std::string& path, std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    errno = e;
    return false;
  }
  out->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out->size()) {
    const ssize_t n = ::read(fd, out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  out->resize(done);  // a file that shrank reads as what it held
  return true;
}

// Keys are put in batches, one transaction each: cheap per key, and no
// transaction grows with the file.
constexpr size_t kLoadBatchKeys = 256;

}  // namespace

Persistence::Persistence(Server& server) : server_(server), last_save_unix_(unix_now()) {}

Persistence::~Persistence() { stop_background(); }

bool Persistence::load(std::string* error) {
  const ServerConfig cfg = server_.config_snapshot();
  const std::string path = rdb_dir(cfg) + "/" + cfg.dbfilename;
  std::string file;
  if (!read_whole_file(path, &file)) {
    if (errno == ENOENT) return true;  // nothing saved yet: start empty, as Redis does
    *error = "Fatal error loading the DB (" + path + "): " + std::strerror(errno) + ". Exiting.";
    return false;
  }
  const int64_t now = store::now_ms();
  const bool lfu = is_lfu_policy(server_.evictor().policy());
  uint64_t loaded = 0, expired = 0;
  std::vector<RdbKey> batch;
  std::string load_error;  // set by a batch that could not be stored
  auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    std::vector<std::optional<StorableValue>> values(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) values[i].emplace(batch[i].value);
    htm::atomically([&](stm::Tx& tx) {
      load_error.clear();
      for (size_t i = 0; i < batch.size(); ++i) {
        const RdbKey& k = batch[i];
        store::Store& db = server_.db(k.db);
        if (db.lookup(tx, k.key) != nullptr) {
          load_error = "RDB has duplicated key '" + k.key + "' in DB " + std::to_string(k.db);
          return;
        }
        std::optional<uint32_t> access;
        if (lfu && k.frequency) access = store::lfu_bits_with_counter(*k.frequency, now);
        if (!lfu && k.idle_seconds) access = store::lru_bits_idle_for(*k.idle_seconds, now);
        const store::OpStatus s = db.put(tx, k.key, values[i]->type(), values[i]->bytes(), k.expire_at_ms, access);
        if (s != store::OpStatus::kOk) {
          load_error = "cannot store key '" + k.key + "' in DB " + std::to_string(k.db) + ": " +
                      std::string(store::op_status_message(s));
          return;
        }
      }
    });
    batch.clear();
    return load_error.empty();
  };
  std::vector<std::string> codes;
  RdbReadHandlers handlers;
  handlers.key = [&](RdbKey&& k, std::string* e) {
    // A key that expired while the file sat on disk is dropped, as a
    // Redis primary drops it when loading.
    if (k.expire_at_ms != 0 && k.expire_at_ms <= now) {
      ++expired;
      return true;
    }
    ++loaded;
    batch.push_back(std::move(k));
    if (batch.size() < kLoadBatchKeys || flush()) return true;
    *e = load_error;
    return false;
  };
  handlers.function = [&](std::string&& code, std::string*) {
    codes.push_back(std::move(code));
    return true;
  };
  std::string why;
  const bool ok = read_rdb_file(file, server_.database_count(), server_.db(0).max_value_bytes(), cfg.rdbchecksum,
                                handlers, &why) &&
                  (flush() || (why = load_error, false));
  if (!ok) {
    *error = "Error loading the DB from " + path + ": " + why + ". Exiting.";
    return false;
  }
  if (std::string e = restore_function_libraries(server_, codes, FunctionRegistry::RestorePolicy::kAppend);
      !e.empty()) {
    *error = "Error loading the function libraries from " + path + ": " + e + ". Exiting.";
    return false;
  }
  std::lock_guard<std::mutex> g(mu_);
  loaded_ = loaded;
  load_expired_ = expired;
  std::fprintf(stderr, "tmkv-server: DB loaded from %s: %llu keys, %llu expired keys dropped, %zu libraries\n",
               path.c_str(), static_cast<unsigned long long>(loaded), static_cast<unsigned long long>(expired),
               codes.size());
  return true;
}

bool Persistence::save_to_disk(std::string* error, std::promise<void>* captured, bool counted) {
  const ServerConfig cfg = server_.config_snapshot();
  const std::string dir = rdb_dir(cfg);
  uint64_t n;
  {
    std::lock_guard<std::mutex> g(mu_);
    n = ++temp_counter_;
  }
  const std::string temp = dir + "/temp-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".rdb";
  const uint64_t changes = server_.changes_total();
  std::unique_ptr<Snapshot> snapshot = Snapshot::capture(server_);
  {
    std::lock_guard<std::mutex> g(mu_);
    changes_at_capture_ = changes;
    latest_pause_us_ = snapshot->pause_us;
    ++snapshots_;
  }
  if (captured != nullptr) captured->set_value();
  RdbWriteOptions options = rdb_write_options(cfg, server_);
  options.cancel = &cancel_;
  bool ok = write_rdb_file(temp, *snapshot, options, error);
  snapshot.reset();  // unpins: the versions it held may be reclaimed
  const std::string target = dir + "/" + cfg.dbfilename;
  if (ok && std::rename(temp.c_str(), target.c_str()) != 0) {
    *error = "Error moving temp DB file " + temp + " on the final destination " + target + ": " +
             std::strerror(errno);
    ok = false;
  }
  if (!ok) {
    ::unlink(temp.c_str());
    std::fprintf(stderr, "tmkv-server: saving the DB failed: %s\n", error->c_str());
    return false;
  }
  fsync_dir(dir);
  std::lock_guard<std::mutex> g(mu_);
  last_save_unix_ = unix_now();
  changes_at_last_save_ = changes_at_capture_;
  if (counted) ++saves_;
  return true;
}

bool Persistence::save(std::string* error) { return save_counted(error, true); }

bool Persistence::save_counted(std::string* error, bool counted) {
  if (running_.exchange(true, std::memory_order_acquire)) {
    *error = "ERR Background save already in progress";
    return false;
  }
  std::string why;
  const bool ok = save_to_disk(&why, nullptr, counted);
  if (ok) {
    // As Redis's rdbSave: a good save clears a failed BGSAVE's MISCONF.
    std::lock_guard<std::mutex> g(mu_);
    last_bgsave_ok_ = true;
    bgsave_failed_.store(!last_bgsave_ok_, std::memory_order_relaxed);
  }
  running_.store(false, std::memory_order_release);
  if (!ok) *error = "ERR " + why;
  return ok;
}

Persistence::BgsaveStart Persistence::bgsave(bool schedule) {
  std::future<void> captured;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (schedule) {
      scheduled_ = true;  // the next tick starts it
      return BgsaveStart::kScheduled;
    }
    if (running_.exchange(true, std::memory_order_acquire)) return BgsaveStart::kAlreadyRunning;
    captured = start_thread();
  }
  // The cut is taken before BGSAVE replies, as Redis forks before it
  // replies: a write the client sends after the reply is not in the file.
  // (Outside mu_: the thread takes it before it captures.)
  captured.wait();
  return BgsaveStart::kStarted;
}

std::future<void> Persistence::start_thread() {
  join_finished();  // a thread that ended since the last tick
  cancel_.store(false, std::memory_order_relaxed);
  bg_finished_.store(false, std::memory_order_relaxed);
  bg_started_ms_ = store::system_unix_ms();
  last_bgsave_try_unix_ = unix_now();
  auto captured = std::make_shared<std::promise<void>>();
  std::future<void> f = captured->get_future();
  thread_ = std::thread([this, captured] {
    std::string error;
    const bool ok = save_to_disk(&error, captured.get());
    {
      std::lock_guard<std::mutex> g(mu_);
      bg_ok_ = ok;
    }
    // Release: tick() that reads true (acquire) sees bg_ok_ and the save's
    // bookkeeping.
    bg_finished_.store(true, std::memory_order_release);
  });
  return f;
}

void Persistence::join_finished() {
  if (!thread_.joinable() || !bg_finished_.load(std::memory_order_acquire)) return;
  thread_.join();
  last_bgsave_ok_ = bg_ok_;
  bgsave_failed_.store(!last_bgsave_ok_, std::memory_order_relaxed);
  last_bgsave_seconds_ = (store::system_unix_ms() - bg_started_ms_) / 1000;
  bg_started_ms_ = 0;
  running_.store(false, std::memory_order_release);
}

void Persistence::tick() {
  transfers_.reap();
  const ServerConfig cfg = server_.config_snapshot();
  std::lock_guard<std::mutex> g(mu_);
  join_finished();
  if (running_.load(std::memory_order_acquire)) return;
  bool start = scheduled_;
  const int64_t now = unix_now();
  const uint64_t changes = server_.changes_total() - changes_at_last_save_;
  for (const auto& [seconds, min_changes] : cfg.save_points) {
    if (changes >= min_changes && now - last_save_unix_ > static_cast<int64_t>(seconds) &&
        (now - last_bgsave_try_unix_ > kBgsaveRetryDelaySeconds || last_bgsave_ok_)) {
      std::fprintf(stderr, "tmkv-server: %llu changes in %llu seconds. Saving...\n",
                   static_cast<unsigned long long>(min_changes), static_cast<unsigned long long>(seconds));
      start = true;
      break;
    }
  }
  if (!start || running_.exchange(true, std::memory_order_acquire)) return;
  scheduled_ = false;
  start_thread();
}

void Persistence::stop_background() {
  std::thread t;
  {
    std::lock_guard<std::mutex> g(mu_);
    scheduled_ = false;
    if (!thread_.joinable()) return;
    t = std::move(thread_);
    // Under mu_ with the move: no new thread starts (and clears it) in
    // between. Relaxed: a flag the writer polls; the join orders the rest.
    cancel_.store(true, std::memory_order_relaxed);
  }
  t.join();  // outside mu_: the thread takes it to finish
  std::lock_guard<std::mutex> g(mu_);
  last_bgsave_ok_ = bg_ok_;
  bgsave_failed_.store(!last_bgsave_ok_, std::memory_order_relaxed);
  bg_started_ms_ = 0;
  running_.store(false, std::memory_order_release);
  cancel_.store(false, std::memory_order_relaxed);
}

bool Persistence::final_save(std::string* error) {
  const FinalSave mode = final_save_mode_.load(std::memory_order_relaxed);
  if (mode == FinalSave::kNoSave) return true;
  const ServerConfig cfg = server_.config_snapshot();
  if (mode == FinalSave::kDefault && cfg.save_points.empty()) return true;
  stop_background();
  if (mode == FinalSave::kSave) {
    // SHUTDOWN saved before it stopped the server; only writes that
    // finished after that need another.
    std::lock_guard<std::mutex> g(mu_);
    if (saves_ != 0 && server_.changes_total() == changes_at_last_save_) return true;
  }
  std::fprintf(stderr, "tmkv-server: saving the final RDB snapshot before exiting\n");
  return save(error);
}

void Persistence::after_flushall() {
  if (server_.config_snapshot().save_points.empty()) return;
  stop_background();
  std::string error;
  save_counted(&error, false);  // a failure is logged; FLUSHALL's reply stands, as Redis's
}

bool Persistence::writes_refused() const {
  if (!bgsave_failed_.load(std::memory_order_relaxed)) return false;  // every command asks: no lock
  const ServerConfig cfg = server_.config_snapshot();
  return cfg.stop_writes_on_bgsave_error && !cfg.save_points.empty();
}

Persistence::Info Persistence::info() const {
  Info i;
  const uint64_t changes = server_.changes_total();
  std::lock_guard<std::mutex> g(mu_);
  i.in_progress = running_.load(std::memory_order_acquire) && bg_started_ms_ != 0;
  i.changes_since_last_save = changes - changes_at_last_save_;
  i.last_save_unix = last_save_unix_;
  i.last_bgsave_ok = last_bgsave_ok_;
  i.last_bgsave_seconds = last_bgsave_seconds_;
  i.current_bgsave_seconds = bg_started_ms_ != 0 ? (store::system_unix_ms() - bg_started_ms_) / 1000 : -1;
  i.saves = saves_;
  i.last_load_keys_loaded = loaded_;
  i.last_load_keys_expired = load_expired_;
  i.latest_pause_us = latest_pause_us_;
  i.snapshots = snapshots_;
  return i;
}

int64_t Persistence::last_save_unix() const {
  std::lock_guard<std::mutex> g(mu_);
  return last_save_unix_;
}

}  // namespace tmkv::server
