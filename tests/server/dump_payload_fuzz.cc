// libFuzzer target for RESTORE's payload decoder (server/rdb_string.h):
// whatever the bytes, decoding must not crash, read out of bounds or leak
// (ASan/UBSan), and a payload it accepts must survive re-encoding: decode
// (encode (v)) == v, for strings, hashes, sets, lists and sorted sets alike
// (a sorted set both ways: as a listpack, which keeps its order, and as
// type 5, written from the last entry back); and FUNCTION RESTORE's
// decoder likewise (libraries' code re-encoded as FUNCTION DUMP writes it).
// A stream (server/rdb_stream.h) it accepts must hold together (its node
// count against a walk) and re-encode to bytes that decode and re-encode
// to the same bytes again.
// Built and run by scripts/fuzz-parser.
//
// A checksum guards the payload, so random bytes almost never get past it:
// when the first input byte is odd, the rest is taken as a payload body and
// given a valid footer (RDB version 10 and its CRC-64), which is what lets
// the fuzzer explore the string encodings and LZF; when even, the rest goes
// in as it is, footer checks included.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/rdb_stream.h"
#include "server/rdb_string.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tmkv::server;
  if (size == 0) return 0;
  std::string in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    in.push_back(static_cast<char>(kRdbVersion & 0xff));
    in.push_back(static_cast<char>(kRdbVersion >> 8));
    const uint64_t crc = crc64_jones(0, in);
    for (int i = 0; i < 8; ++i) in.push_back(static_cast<char>(crc >> (8 * i)));
  }
  // FUNCTION RESTORE's decoder reads the same bytes: what it reads whole
  // must survive re-encoding too.
  const DecodedFunctions f = decode_functions_dump_payload(in);
  if (f.error.empty()) {
    const std::vector<std::string_view> codes(f.codes.begin(), f.codes.end());
    const DecodedFunctions f2 = decode_functions_dump_payload(encode_functions_dump_payload(codes));
    if (!f2.error.empty() || f2.codes != f.codes) std::abort();
  }
  const DecodedPayload d = decode_dump_payload(in);
  if (!d.error.empty()) return 0;
  if (d.type == tmkv::store::ValueType::kStream) {
    if (!d.stream || d.stream->node_count() != d.stream->node_count_by_walk()) std::abort();
    const std::optional<std::string> body = encode_stream_rdb(*d.stream, (data[0] & 2) != 0);
    if (!body) std::abort();
    const DecodedPayload back = decode_dump_payload(add_dump_footer(*body));
    if (!back.error.empty() || !back.stream) std::abort();
    if (encode_stream_rdb(*back.stream, (data[0] & 2) != 0) != body) std::abort();
    return 0;
  }
  std::string encoded;
  if (d.type == tmkv::store::ValueType::kString) {
    encoded = encode_dump_payload(d.value);
  } else if (d.type == tmkv::store::ValueType::kZSet) {
    if (d.scores.size() != d.fields.size()) std::abort();
    std::vector<tmkv::store::ZEntry> entries;
    for (size_t i = 0; i < d.fields.size(); ++i) entries.push_back({d.fields[i].first, d.scores[i]});
    const DecodedPayload back = decode_dump_payload(encode_zset_dump_payload(entries, false));
    if (!back.error.empty() || back.scores.size() != d.scores.size()) std::abort();
    for (size_t i = 0, n = d.scores.size(); i < n; ++i) {
      if (back.fields[n - 1 - i] != d.fields[i] || back.scores[n - 1 - i] != d.scores[i]) std::abort();
    }
    encoded = encode_zset_dump_payload(entries, true);
  } else if (d.type == tmkv::store::ValueType::kList) {
    std::vector<std::string_view> elements;
    for (const auto& e : d.fields) elements.push_back(e.first);
    encoded = encode_list_dump_payload(elements);
  } else {
    std::vector<tmkv::store::HashEntry> entries;
    for (const auto& [field, value] : d.fields) entries.push_back({field, value});
    encoded = d.type == tmkv::store::ValueType::kHash ? encode_hash_dump_payload(entries)
                                                       : encode_set_dump_payload(entries);
  }
  const DecodedPayload again = decode_dump_payload(encoded);
  if (!again.error.empty() || again.type != d.type || again.value != d.value || again.fields != d.fields ||
      again.scores != d.scores) {
    std::abort();
  }
  return 0;
}
