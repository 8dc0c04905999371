// Snapshot files in Redis 7.0's RDB format (version 10), so that a file
// tmkv writes loads into redis-server and one redis-server writes loads
// into tmkv.
//
// A file is: "REDIS0010"; auxiliary fields (AUX: name and value strings);
// the function libraries (FUNCTION2: the code); for each non-empty
// database, SELECTDB and RESIZEDB (key and expiry counts), then its keys,
// each an optional EXPIRETIME_MS (8 bytes, little endian), the value's RDB
// type, the key as an RDB string and the value's encoding (rdb_value.h);
// EOF; and a CRC-64 (Jones, as DUMP's) of everything before it, or 0 when
// rdbchecksum is off.
//
// Reading takes every opcode Redis 7.0 writes or reads (also EXPIRETIME in
// seconds, IDLE and FREQ, and version 11's types that rdb_string.h
// decodes) and refuses, with a message naming the problem, what tmkv
// cannot hold: module data, pre-7.0 function records, a database number
// past `databases`, a repeated key, an unknown type. Every length is
// checked against what remains of the file.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "server/rdb_string.h"

namespace tmkv::server {

class Snapshot;

struct RdbWriteOptions {
  bool compression = true;       // rdbcompression
  bool checksum = true;          // rdbchecksum
  uint64_t key_delay_us = 0;     // rdb-key-save-delay: a pause per key (tests keep a save running with it)
  std::string redis_version;     // the redis-ver field: what INFO's redis_version says
  uint64_t used_memory = 0;      // the used-mem field
  const std::atomic<bool>* cancel = nullptr;  // checked per key: stop with an error when set
  bool fsync = true;             // off for a file that is sent and dropped (snapshot_transfer.h)
};

// Writes the snapshot to `path` (created or truncated) and fsyncs it
// (unless options.fsync is off).
// false with *error if anything fails (the caller removes the file).
bool write_rdb_file(const std::string& path, const Snapshot& snapshot, const RdbWriteOptions& options,
                    std::string* error);

// One key as read from a file.
struct RdbKey {
  unsigned db = 0;
  std::string key;
  int64_t expire_at_ms = 0;               // 0 = none
  std::optional<uint64_t> idle_seconds;   // IDLE opcode (LRU)
  std::optional<uint8_t> frequency;       // FREQ opcode (LFU)
  DecodedPayload value;
};

struct RdbReadHandlers {
  // Each key in file order; false with *error stops the reading.
  std::function<bool(RdbKey&& key, std::string* error)> key;
  std::function<bool(std::string&& code, std::string* error)> function;
};

// Reads a whole file's bytes. `verify_checksum`: rdbchecksum (a stored 0
// means the writer had it off, and is never checked). Strings longer than
// max_value are an error. false with *error on anything malformed.
bool read_rdb_file(std::string_view file, unsigned databases, uint64_t max_value, bool verify_checksum,
                   const RdbReadHandlers& handlers, std::string* error);

}  // namespace tmkv::server
