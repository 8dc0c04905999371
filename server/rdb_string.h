// The DUMP / RESTORE payload of a value, in Redis's format, so that values
// move between redis-server and tmkv-server with DUMP and RESTORE (and the
// tools built on them) in both directions. (The file's name is from when
// strings were the only type.)
//
// A payload is: the RDB object type, the value's RDB encoding, the RDB
// version (2 bytes, little endian), and a CRC-64 of everything before it
// (Jones polynomial, reflected, as Redis's crc64.c; 8 bytes, little endian).
//
// A string (type 0) is one RDB string, which is one of:
//   - a length (6, 14, 32 or 64 bits) and the bytes;
//   - an integer (8, 16 or 32 bits, little endian) for a canonical decimal;
//   - LZF-compressed bytes with their compressed and original lengths.
// encode_dump_payload writes the first two forms (Redis also compresses
// values longer than 20 bytes; RESTORE accepts either).
//
// A hash is written as type 4 (a count of pairs, then field and value as
// RDB strings), which every Redis reads. decode also reads type 16, the
// listpack Redis 7 writes for small hashes, so a hash DUMPed by Redis
// RESTOREs here. A set is written as type 2 (a count, then the members);
// decode also reads Redis's intset (11) and Redis 7.2's listpack (20).
// A list is written as type 1 (a count, then the elements), which every
// Redis reads; decode also reads Redis 7's quicklist (18: nodes that are
// each a listpack or one plain element, LZF-compressed or not).
// A sorted set is written as Redis 7.0 writes it, so that DUMP output is
// the same bytes as redis-server's: one Redis would keep as a listpack as
// type 17 (a listpack of member, score pairs in order, each score as
// zzlInsertAt stores it), a skiplist one as type 5 (a count, then member
// and binary double from the greatest element down, as rdbSaveObject walks
// the skiplist from its tail); strings longer than 20 bytes in them are
// LZF-compressed when that saves more than 4 bytes, as rdbSaveRawString
// does. decode also reads type 3 (scores as text).
// A stream is Redis 7.0's type 19 (rdb_stream.h); decode also reads
// types 15 and 21.
// Other types and older encodings (zipmap, ziplist) are refused with a
// clear error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/rdb_codec.h"
#include "store/blob.h"
#include "store/stream_value.h"

namespace tmkv::server {

// The RDB version Redis 7.0 writes, and the newest tmkv reads.
inline constexpr uint16_t kRdbVersion = 10;

// Redis's crc64 (crc-64-jones, as in redis/src/crc64.c): crc64(0, "123456789")
// is 0xe9c6d914c4b8d9ca.
uint64_t crc64_jones(uint64_t crc, std::string_view bytes);

// Each value's RDB object (type byte, then its encoding) as a snapshot file
// holds it; `compress`: strings of more than 20 bytes LZF-compressed where
// that saves more than 4 (rdbcompression yes). The *_dump_payload forms add
// DUMP's footer: strings, hashes, sets and lists uncompressed, sorted sets
// compressed, which makes a sorted set's DUMP Redis's bytes.
std::string encode_string_rdb(std::string_view value, bool compress);
std::string encode_hash_rdb(const std::vector<store::HashEntry>& entries, bool compress);
std::string encode_set_rdb(const std::vector<store::HashEntry>& members, bool compress);
std::string encode_list_rdb(const std::vector<std::string_view>& elements, bool compress);
std::string encode_zset_rdb(const std::vector<store::ZEntry>& ascending, bool listpack, bool compress);
// DUMP's footer (version, CRC-64) after an RDB object.
std::string add_dump_footer(std::string body);

std::string encode_dump_payload(std::string_view value);
// A hash's payload (type 4), its entries in the order given.
std::string encode_hash_dump_payload(const std::vector<store::HashEntry>& entries);
// A set's payload (type 2), its members (the entries' fields) in the order given.
std::string encode_set_dump_payload(const std::vector<store::HashEntry>& members);

// A list's payload (type 1), its elements in order.
std::string encode_list_dump_payload(const std::vector<std::string_view>& elements);

// A sorted set's payload: `ascending` in Redis's order (score, then member
// bytes); as a listpack (type 17) when `listpack`, else type 5.
std::string encode_zset_dump_payload(const std::vector<store::ZEntry>& ascending, bool listpack);

// liblzf's lzf_compress (Debian's liblzf 3.6, the version Redis bundles,
// with the same build settings), so that compressed strings are Redis's
// bytes: the compressed form of `in` if it fits in `out_len` bytes, else
// nullopt.
std::optional<std::string> lzf_compress(std::string_view in, size_t out_len);

// LZF decompression (the format Redis's lzf_d.c reads): `out_len` is the
// original length, recorded beside the compressed bytes. nullopt if the
// input is malformed or does not produce exactly out_len bytes.
std::optional<std::string> lzf_decompress(std::string_view in, size_t out_len);

struct DecodedPayload {
  store::ValueType type = store::ValueType::kString;
  std::string value;                                      // a string's bytes
  std::vector<std::pair<std::string, std::string>> fields;  // a hash's entries; a set's members, a list's elements, a sorted set's members (empty values)
  std::vector<double> scores;  // a sorted set's: scores[i] is fields[i]'s (never NaN)
  bool from_listpack = false;  // a sorted set read from a listpack (type 17)
  std::optional<store::Stream> stream;  // a stream's (types 15, 19, 21: rdb_stream.h)
  std::string error;  // non-empty: the error reply (without "-")
};
// Checks the footer (version, checksum) and decodes a string, or a hash,
// whose strings are each at most max_value bytes (the server passes
// proto-max-bulk-len). A hash with a repeated field, or none, is malformed;
// so is a sorted set with a repeated member, a NaN score, a score that does
// not parse, or none. Errors are Redis's
// texts where Redis has one: "ERR DUMP payload version or checksum are
// wrong", "ERR Bad data format", and the store's for a value too large.
// Allocates at most max_value bytes, whatever lengths the payload claims.
DecodedPayload decode_dump_payload(std::string_view payload, uint64_t max_value = UINT32_MAX);
// One value's RDB object of the given type, read from r (a DUMP payload's
// body, or a snapshot file after the key): decode_dump_payload's reading
// without the footer. On success r stands just past the object.
DecodedPayload decode_rdb_value(rdb::Reader& r, uint8_t type, uint64_t max_value);

// FUNCTION DUMP's payload (Redis 7.0's): for each library, in the order
// given, the RDB function opcode (245) and the library's code as one RDB
// string (compressed as Redis's rdbSaveRawString does), then the footer.
std::string encode_functions_dump_payload(const std::vector<std::string_view>& codes);

struct DecodedFunctions {
  // The libraries' code, in payload order, up to the first record that
  // could not be read. A pre-GA record (opcode 246: name, engine, an
  // optional description, then the body) becomes "#!<engine> name=<name>\n"
  // followed by its body, as Redis 7.0 rebuilds it (the description is
  // dropped).
  std::vector<std::string> codes;
  // The footer's error (then codes is empty), or the error of the record
  // after the last one in codes; empty if the whole payload was read.
  // Redis reports a record's read error only once every record before it
  // has loaded, so the caller checks codes first.
  std::string error;
};
// FUNCTION RESTORE's reading of a payload. Records are read from the body
// only (never from the footer); every length is checked against what
// remains of it, and no string is longer than max_code bytes, so a hostile
// payload allocates at most about its own size plus max_code.
DecodedFunctions decode_functions_dump_payload(std::string_view payload, uint64_t max_code = UINT32_MAX);

}  // namespace tmkv::server
