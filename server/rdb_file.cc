#include "server/rdb_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "server/rdb_codec.h"
#include "server/rdb_value.h"
#include "server/snapshot.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

constexpr uint8_t kOpFunction2 = 245;
constexpr uint8_t kOpFunctionPreGa = 246;
constexpr uint8_t kOpModuleAux = 247;
constexpr uint8_t kOpIdle = 248;
constexpr uint8_t kOpFreq = 249;
constexpr uint8_t kOpAux = 250;
constexpr uint8_t kOpResizeDb = 251;
constexpr uint8_t kOpExpireTimeMs = 252;
constexpr uint8_t kOpExpireTime = 253;
constexpr uint8_t kOpSelectDb = 254;
constexpr uint8_t kOpEof = 255;
constexpr uint16_t kNewestReadableVersion = 11;  // Redis 7.2's; its new types are rdb_string.h's to judge

// Buffered writes to a file descriptor with the running CRC of all that
// went through.
class FileSink {
 public:
  explicit FileSink(int fd) : fd_(fd) { buf_.reserve(kFlushAt + 64 * 1024); }
  std::string& buf() { return buf_; }
  bool maybe_flush(std::string* error) { return buf_.size() < kFlushAt || flush(error); }
  bool flush(std::string* error) {
    crc_ = crc64_jones(crc_, buf_);
    size_t done = 0;
    while (done < buf_.size()) {
      const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        *error = std::string("write error: ") + std::strerror(errno);
        return false;
      }
      done += static_cast<size_t>(n);
    }
    buf_.clear();
    return true;
  }
  uint64_t crc() const { return crc_; }  // of what flush() wrote

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  int fd_;
  std::string buf_;
  uint64_t crc_ = 0;
};

void put_aux(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(static_cast<char>(kOpAux));
  rdb::put_string(out, name);
  rdb::put_string(out, value);
}

}  // namespace

bool write_rdb_file(const std::string& path, const Snapshot& snapshot, const RdbWriteOptions& options,
                    std::string* error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "failed opening the temp RDB file " + path + " (in server root dir): " + std::strerror(errno);
    return false;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  FileSink sink(fd);
  std::string& out = sink.buf();
  out += "REDIS0010";
  put_aux(out, "redis-ver", options.redis_version);
  put_aux(out, "redis-bits", "64");
  put_aux(out, "ctime", std::to_string(std::time(nullptr)));
  put_aux(out, "used-mem", std::to_string(options.used_memory));
  put_aux(out, "aof-base", "0");
  for (const std::string& code : snapshot.function_codes) {
    out.push_back(static_cast<char>(kOpFunction2));
    if (options.compression) {
      rdb::put_string_compressed(out, code);
    } else {
      rdb::put_string(out, code);
    }
  }
  // Keys already past their expiry are left out (a Redis primary would
  // drop them when loading anyway), judged at one instant for the file.
  const int64_t now = store::now_ms();
  for (size_t db = 0; db < snapshot.dbs.size(); ++db) {
    const auto& keys = snapshot.dbs[db];
    size_t live = 0, expires = 0;
    for (const auto& e : keys) {
      if (e.value->expired_at(now)) continue;
      ++live;
      expires += e.value->expire_at_ms() != 0;
    }
    if (live == 0) continue;
    out.push_back(static_cast<char>(kOpSelectDb));
    rdb::put_length(out, db);
    out.push_back(static_cast<char>(kOpResizeDb));
    rdb::put_length(out, live);
    rdb::put_length(out, expires);
    for (const auto& e : keys) {
      if (e.value->expired_at(now)) continue;
      if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
        *error = "the save was cancelled";
        return false;
      }
      std::optional<std::string> object = encode_value_rdb(*e.value, options.compression);
      if (!object) {
        *error = "the value of a key in db " + std::to_string(db) + " has a type tmkv cannot write to an RDB file";
        return false;
      }
      if (const int64_t at = e.value->expire_at_ms(); at != 0) {
        out.push_back(static_cast<char>(kOpExpireTimeMs));
        rdb::put_le(out, static_cast<uint64_t>(at), 8);
      }
      out.push_back((*object)[0]);  // the value's type, then the key, then its encoding
      if (options.compression) {
        rdb::put_string_compressed(out, e.key);
      } else {
        rdb::put_string(out, e.key);
      }
      out.append(*object, 1);
      if (!sink.maybe_flush(error)) return false;
      if (options.key_delay_us != 0) std::this_thread::sleep_for(std::chrono::microseconds(options.key_delay_us));
    }
  }
  out.push_back(static_cast<char>(kOpEof));
  if (!sink.flush(error)) return false;
  rdb::put_le(out, options.checksum ? sink.crc() : 0, 8);
  if (!sink.flush(error)) return false;
  if (options.fsync && ::fsync(fd) != 0) {
    *error = std::string("fsync error: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool read_rdb_file(std::string_view file, unsigned databases, uint64_t max_value, bool verify_checksum,
                   const RdbReadHandlers& handlers, std::string* error) {
  if (file.size() < 9 || file.substr(0, 5) != "REDIS") {
    *error = "Wrong signature trying to load DB from file";
    return false;
  }
  unsigned version = 0;
  for (char ch : file.substr(5, 4)) {
    if (ch < '0' || ch > '9') {
      *error = "Wrong signature trying to load DB from file";
      return false;
    }
    version = version * 10 + static_cast<unsigned>(ch - '0');
  }
  if (version < 1 || version > kNewestReadableVersion) {
    *error = "Can't handle RDB format version " + std::to_string(version);
    return false;
  }
  rdb::Reader r(file.substr(9));
  const char* kShort = "Short read or OOM loading DB. Unrecoverable error, aborting now.";
  unsigned db = 0;
  RdbKey pending;  // expiry, idle and frequency gathered for the next key
  for (;;) {
    uint8_t op;
    if (!r.byte(&op)) {
      *error = kShort;
      return false;
    }
    uint64_t n = 0;
    bool encoded = false;
    std::string_view raw;
    if (op == kOpEof) break;
    if (op == kOpExpireTimeMs || op == kOpExpireTime) {
      const int width = op == kOpExpireTimeMs ? 8 : 4;
      if (!r.bytes(static_cast<size_t>(width), &raw)) {
        *error = kShort;
        return false;
      }
      uint64_t v = 0;
      for (int i = width - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(raw[static_cast<size_t>(i)]);
      pending.expire_at_ms = op == kOpExpireTimeMs ? static_cast<int64_t>(v) : static_cast<int64_t>(v) * 1000;
    } else if (op == kOpIdle) {
      if (!r.length(&n, &encoded) || encoded) {
        *error = kShort;
        return false;
      }
      pending.idle_seconds = n;
    } else if (op == kOpFreq) {
      uint8_t f;
      if (!r.byte(&f)) {
        *error = kShort;
        return false;
      }
      pending.frequency = f;
    } else if (op == kOpSelectDb) {
      if (!r.length(&n, &encoded) || encoded) {
        *error = kShort;
        return false;
      }
      if (n >= databases) {
        *error = "FATAL: Data file was created with a Redis server configured to handle more than " +
                 std::to_string(databases) + " databases. Exiting";
        return false;
      }
      db = static_cast<unsigned>(n);
    } else if (op == kOpResizeDb) {
      uint64_t expires;
      if (!r.length(&n, &encoded) || encoded || !r.length(&expires, &encoded) || encoded) {
        *error = kShort;
        return false;
      }
    } else if (op == kOpAux) {
      // Information only (redis-ver, ctime, replication fields, ...).
      std::string name, value;
      bool too_large = false;
      if (!rdb::read_string(r, max_value, &name, &too_large) || !rdb::read_string(r, max_value, &value, &too_large)) {
        *error = kShort;
        return false;
      }
    } else if (op == kOpFunction2) {
      std::string code;
      bool too_large = false;
      if (!rdb::read_string(r, max_value, &code, &too_large)) {
        *error = kShort;
        return false;
      }
      if (!handlers.function(std::move(code), error)) return false;
    } else if (op == kOpFunctionPreGa) {
      *error = "The RDB file holds a function library in the format of Redis 7.0's release candidates, which tmkv "
               "does not read";
      return false;
    } else if (op == kOpModuleAux) {
      *error = "The RDB file holds module data; tmkv has no modules to load it";
      return false;
    } else {
      RdbKey k = std::move(pending);
      pending = RdbKey();
      k.db = db;
      bool too_large = false;
      if (!rdb::read_string(r, max_value, &k.key, &too_large)) {
        *error = kShort;
        return false;
      }
      k.value = decode_rdb_value(r, op, max_value);
      if (!k.value.error.empty()) {
        std::string e = k.value.error;
        if (e.rfind("ERR ", 0) == 0) e.erase(0, 4);
        *error = "Error loading the value of key in db " + std::to_string(db) + ": " + e;
        return false;
      }
      if (!handlers.key(std::move(k), error)) return false;
    }
  }
  if (version >= 5) {
    std::string_view stored;
    if (!r.bytes(8, &stored)) {
      *error = kShort;
      return false;
    }
    uint64_t crc = 0;
    for (int i = 7; i >= 0; --i) crc = (crc << 8) | static_cast<uint8_t>(stored[static_cast<size_t>(i)]);
    const uint64_t expected = crc64_jones(0, file.substr(0, file.size() - 8));
    if (verify_checksum && crc != 0 && crc != expected) {
      *error = "Wrong RDB checksum. Aborting now.";
      return false;
    }
  }
  return true;
}

}  // namespace tmkv::server
