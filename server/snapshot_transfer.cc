#include "server/snapshot_transfer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "server/config.h"
#include "server/persistence.h"
#include "server/rdb_file.h"
#include "server/server.h"

namespace tmkv::server {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

bool SnapshotTransfers::start(SnapshotContents contents, Ready ready, Slot* slot, std::string* error) {
  std::lock_guard<std::mutex> g(mu_);
  if (stopped_) {
    *error = "the server is shutting down";
    return false;
  }
  if (active_.load(std::memory_order_relaxed) >= kMaxTransfers) {
    *error = "too many snapshot transfers in progress (at most " + std::to_string(kMaxTransfers) +
             " at once); try again later";
    return false;
  }
  Producer& p = producers_.emplace_back();
  try {
    p.thread = std::thread([this, contents, ready = std::move(ready), &p] {
      ready(produce(contents));
      p.finished.store(true, std::memory_order_release);
    });
  } catch (const std::system_error& e) {  // no thread to be had (EAGAIN): refuse, leave nothing behind
    producers_.pop_back();
    *error = std::string("cannot start a thread for the snapshot: ") + e.what();
    return false;
  }
  active_.fetch_add(1, std::memory_order_relaxed);
  *slot = Slot(&active_);
  started_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

PreparedSnapshot SnapshotTransfers::produce(SnapshotContents contents) {
  PreparedSnapshot out;
  const ServerConfig cfg = server_.config_snapshot();
  uint64_t n;
  {
    std::lock_guard<std::mutex> g(mu_);
    n = ++temp_counter_;
  }
  const std::string temp =
      rdb_dir(cfg) + "/temp-sync-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".rdb";
  std::unique_ptr<Snapshot> snapshot = Snapshot::capture(server_, contents);
  RdbWriteOptions options = rdb_write_options(cfg, server_);
  options.cancel = &cancel_;
  options.fsync = false;  // read back at once and dropped: durability buys nothing
  const bool written = write_rdb_file(temp, *snapshot, options, &out.error);
  snapshot.reset();  // unpins (snapshot.h): what it held may be reclaimed now
  if (!written) {
    ::unlink(temp.c_str());
    out.error = "cannot prepare the snapshot: " + out.error;
    return out;
  }
  out.file = UniqueFd(::open(temp.c_str(), O_RDONLY | O_CLOEXEC));
  const int open_errno = errno;
  ::unlink(temp.c_str());  // the open descriptor keeps the data until the send ends
  struct stat st;
  if (out.file.get() < 0 || ::fstat(out.file.get(), &st) != 0) {
    out.error = std::string("cannot reopen the snapshot: ") + std::strerror(out.file.get() < 0 ? open_errno : errno);
    return out;
  }
  out.size = static_cast<uint64_t>(st.st_size);
  out.ok = true;
  return out;
}

void SnapshotTransfers::reap() {
  std::list<Producer> done;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = producers_.begin(); it != producers_.end();) {
      auto next = std::next(it);
      if (it->finished.load(std::memory_order_acquire)) done.splice(done.end(), producers_, it);
      it = next;
    }
  }
  for (Producer& p : done) p.thread.join();  // outside mu_: finished means its last act is done
}

void SnapshotTransfers::stop() {
  std::list<Producer> all;
  {
    std::lock_guard<std::mutex> g(mu_);
    stopped_ = true;
    cancel_.store(true, std::memory_order_relaxed);
    all.swap(producers_);
  }
  for (Producer& p : all) p.thread.join();  // outside mu_: produce() takes it
}

}  // namespace tmkv::server
