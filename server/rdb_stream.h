// A stream's RDB object, both ways, in Redis 7.0's format (RDB type 19,
// RDB_TYPE_STREAM_LISTPACKS_2), so that DUMP and RESTORE move streams, with
// their consumer groups, between redis-server and tmkv.
//
// THE FORMAT (Redis's rdbSaveObject / rdbLoadObject, t_stream.c):
//   - the number of listpack nodes, then for each the node's master ID (a
//     16-byte string: ms and seq, big endian) and the listpack (a string).
//     A listpack starts with its master entry: live count, deleted count,
//     the master field count, the master fields, 0. Each entry follows:
//     flags (1: deleted, 2: same fields as the master), ms and seq as
//     differences from the master ID, then the field count and field-value
//     pairs, or only the values when the flags say same fields, then
//     lp-count (how many listpack elements the entry took, for reverse
//     walks);
//   - the length, last-generated-id (ms, seq), recorded-first-entry-id,
//     max-deleted-entry-id and entries-added (lengths);
//   - the groups: count, then each group's name, last-delivered-id,
//     entries-read (a length; -1 is 2^64-1), its PEL (count, then ID as 16
//     raw bytes, delivery time as 8 bytes little endian, delivery count)
//     and its consumers (count, then name, seen-time (8 bytes), and the IDs
//     of the PEL entries it owns).
//
// WRITING. One listpack per emulated node (store/stream_value.h numbers
// them as Redis fills its listpacks), keyed by its first remaining entry,
// with no deleted entries in it: so after a round trip through Redis the
// node count (XINFO's radix-tree-keys) stays the same. Redis also closes a
// listpack at stream-node-max-bytes; tmkv writes its nodes whatever their
// size, which Redis reads as they are. Strings are written as Redis's
// rdbSaveRawString writes them (integers; LZF past 20 bytes if compressing).
//
// READING. Type 19, Redis 5/6's type 15 (no first ID, max-deleted ID,
// entries-added or entries-read: derived as Redis's loader derives them)
// and Redis 7.2's type 21 (a consumer's active-time after its seen-time,
// which tmkv does not keep). Each listpack becomes one emulated node, its
// live and deleted entries counting as the appends it has had. Everything
// is checked as Redis checks it under sanitize-dump-payload, and more: a
// payload is refused ("ERR Bad data format") unless it makes a stream
// every command can rely on: entries in strictly ascending ID order, each
// listpack's counts matching its entries, the length matching them,
// last-generated-id at or past the last entry, entries-added at least the
// length, every PEL entry owned by exactly one consumer and every ID a
// consumer lists pending in its group. Lengths are checked against what is
// left of the input before anything is allocated for them; the entries a
// listpack expands to (same-fields entries repeat the master's field names)
// are limited to a budget proportional to the listpacks' own bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/rdb_codec.h"
#include "store/stream_value.h"

namespace tmkv::server {

inline constexpr uint8_t kRdbTypeStreamListpacks = 15;
inline constexpr uint8_t kRdbTypeStreamListpacks2 = 19;
inline constexpr uint8_t kRdbTypeStreamListpacks3 = 21;

// The stream's RDB object: type byte 19, then its encoding; `compress`:
// names and listpacks of more than 20 bytes LZF-compressed where that
// saves more than 4 (rdbcompression, rdb_string.h). nullopt only if a
// node's listpack would pass a listpack's 4 GB limit.
std::optional<std::string> encode_stream_rdb(const store::Stream& s, bool compress);

// Reads a stream's RDB object of `type` (15, 19 or 21) from r, its strings
// each at most max_value bytes. On success *out is the stream and the
// result empty; otherwise the result is the error reply (without "-"):
// "ERR Bad data format", or the proto-max-bulk-len error for a string over
// max_value.
std::string decode_stream_rdb(rdb::Reader& r, uint8_t type, uint64_t max_value, store::Stream* out);

}  // namespace tmkv::server
