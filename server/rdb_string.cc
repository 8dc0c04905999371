#include "server/rdb_string.h"

#include "server/rdb_codec.h"
#include "server/rdb_stream.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "store/int_codec.h"

#include <lzf.h>  // liblzf-dev

namespace tmkv::server {

using rdb::Reader;
using rdb::kEncVal;
using rdb::k6BitLen;
using rdb::k14BitLen;
using rdb::k32BitLen;
using rdb::k64BitLen;

namespace {

// RDB length and encoding prefixes (the top two bits of the first byte).
constexpr uint8_t kEncInt8 = 0, kEncInt16 = 1, kEncInt32 = 2, kEncLzf = 3;
constexpr uint8_t kRdbTypeString = 0;
constexpr uint8_t kRdbTypeList = 1;
constexpr uint8_t kRdbTypeSet = 2;
constexpr uint8_t kRdbTypeHash = 4;
constexpr uint8_t kRdbTypeZset = 3;
constexpr uint8_t kRdbTypeZset2 = 5;
constexpr uint8_t kRdbTypeZsetZiplist = 12;
constexpr uint8_t kRdbTypeZsetListpack = 17;
constexpr uint8_t kRdbTypeSetIntset = 11;
constexpr uint8_t kRdbTypeSetListpack = 20;
constexpr uint8_t kRdbTypeHashListpack = 16;
constexpr uint8_t kRdbTypeListQuicklist2 = 18;
constexpr uint64_t kQuicklistNodePlain = 1, kQuicklistNodePacked = 2;
constexpr size_t kFooterBytes = 10;  // version (2) + CRC-64 (8)

// CRC-64 by "slicing by 8" (Kounavis and Berry): t[0] is the byte-at-a-time
// table of the reflected Jones polynomial; t[k][b] is the CRC of byte b
// followed by k zero bytes, so eight table lookups fold in eight bytes at
// once. A byte at a time cost ~11% of a BGSAVE (docs/BENCHMARKS.md).
using Crc64Tables = std::array<std::array<uint64_t, 256>, 8>;
constexpr Crc64Tables make_crc64_tables() {
  // Reflected form of the Jones polynomial 0xad93d23594c935a9.
  constexpr uint64_t kPoly = 0x95ac9329ac4bc9b5ull;
  Crc64Tables t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  }
  return t;
}
constexpr Crc64Tables kCrc64Tables = make_crc64_tables();

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_length(std::string& out, uint64_t len) {
  if (len < (1u << 6)) {
    out.push_back(static_cast<char>((k6BitLen << 6) | len));
  } else if (len < (1u << 14)) {
    out.push_back(static_cast<char>((k14BitLen << 6) | ((len >> 8) & 0x3f)));
    out.push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out.push_back(static_cast<char>(k32BitLen));
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));  // big endian
  } else {
    out.push_back(static_cast<char>(k64BitLen));
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  }
}

// Redis's rdbTryIntegerEncoding: a canonical decimal (it prints back the
// same) of at most 11 characters that fits 32 bits.
bool put_integer(std::string& out, std::string_view s) {
  if (s.size() > 11) return false;
  const auto v = store::parse_int64(s);
  if (!v) return false;
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);
  if (ec != std::errc() || std::string_view(buf, static_cast<size_t>(end - buf)) != s) return false;
  if (*v >= INT8_MIN && *v <= INT8_MAX) {
    out.push_back(static_cast<char>((kEncVal << 6) | kEncInt8));
    put_le(out, static_cast<uint64_t>(*v), 1);
  } else if (*v >= INT16_MIN && *v <= INT16_MAX) {
    out.push_back(static_cast<char>((kEncVal << 6) | kEncInt16));
    put_le(out, static_cast<uint64_t>(*v), 2);
  } else if (*v >= INT32_MIN && *v <= INT32_MAX) {
    out.push_back(static_cast<char>((kEncVal << 6) | kEncInt32));
    put_le(out, static_cast<uint64_t>(*v), 4);
  } else {
    return false;
  }
  return true;
}


int64_t sign_extend(uint64_t v, int bytes) {
  const int shift = 64 - 8 * bytes;
  return static_cast<int64_t>(v << shift) >> shift;
}

// LZF's densest token, a long back reference, is 3 bytes that expand to
// 264: no valid input of n bytes expands past 88 * n.
constexpr uint64_t kLzfMaxExpansion = 88;

// Redis's rdbGenericLoadStringObject, for a plain string. LZF's recorded
// length is checked against what its input could expand to, and against
// max_value, before anything is allocated for it: a hostile payload cannot
// make it allocate more than that.
bool load_string(Reader& r, uint64_t max_value, std::string* out, bool* too_large) {
  uint64_t len;
  bool encoded;
  if (!r.length(&len, &encoded)) return false;
  if (!encoded) {
    std::string_view raw;
    if (!r.bytes(len, &raw)) return false;
    if (len > max_value) {
      *too_large = true;
      return false;
    }
    out->assign(raw);
    return true;
  }
  if (len == kEncInt8 || len == kEncInt16 || len == kEncInt32) {
    const int n = len == kEncInt8 ? 1 : len == kEncInt16 ? 2 : 4;
    std::string_view raw;
    if (!r.bytes(static_cast<size_t>(n), &raw)) return false;
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(raw[static_cast<size_t>(i)]);
    *out = std::to_string(sign_extend(v, n));
    return true;
  }
  if (len == kEncLzf) {
    uint64_t clen, ulen;
    bool e1, e2;
    if (!r.length(&clen, &e1) || !r.length(&ulen, &e2) || e1 || e2) return false;
    std::string_view compressed;
    if (!r.bytes(clen, &compressed)) return false;
    if (ulen > clen * kLzfMaxExpansion) return false;
    if (ulen > max_value) {
      *too_large = true;
      return false;
    }
    auto plain = lzf_decompress(compressed, ulen);
    if (!plain) return false;
    *out = std::move(*plain);
    return true;
  }
  return false;
}

// One entry of a listpack (Redis's listpack.c): its bytes as a string (an
// integer entry in decimal). Advances past the entry's back-length.
bool read_listpack_entry(std::string_view lp, size_t* pos, std::string* out) {
  auto need = [&](size_t n) { return lp.size() - *pos >= n; };
  if (!need(1)) return false;
  const uint8_t b = static_cast<uint8_t>(lp[*pos]);
  size_t header = 1, len = 0;
  bool is_int = false;
  int64_t v = 0;
  auto le = [&](size_t at, int n) {
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; --i) x = (x << 8) | static_cast<uint8_t>(lp[at + static_cast<size_t>(i)]);
    return x;
  };
  if ((b & 0x80) == 0) {  // 7-bit unsigned
    is_int = true;
    v = b & 0x7f;
  } else if ((b & 0xc0) == 0x80) {  // string, 6-bit length
    len = b & 0x3f;
  } else if ((b & 0xe0) == 0xc0) {  // 13-bit signed
    if (!need(2)) return false;
    is_int = true;
    header = 2;
    v = (int64_t{b & 0x1f} << 8) | static_cast<uint8_t>(lp[*pos + 1]);
    if (v >= 4096) v -= 8192;
  } else if ((b & 0xf0) == 0xe0) {  // string, 12-bit length
    if (!need(2)) return false;
    header = 2;
    len = (size_t{b & 0x0fu} << 8) | static_cast<uint8_t>(lp[*pos + 1]);
  } else if (b == 0xf0) {  // string, 32-bit length
    if (!need(5)) return false;
    header = 5;
    len = le(*pos + 1, 4);
  } else if (b >= 0xf1 && b <= 0xf4) {  // 16, 24, 32, 64-bit signed
    const int n = b == 0xf1 ? 2 : b == 0xf2 ? 3 : b == 0xf3 ? 4 : 8;
    if (!need(1 + static_cast<size_t>(n))) return false;
    is_int = true;
    header = 1 + static_cast<size_t>(n);
    v = sign_extend(le(*pos + 1, n), n);
  } else {
    return false;  // 0xff (the end) or an unused encoding
  }
  if (!need(header) || lp.size() - *pos - header < len) return false;
  const size_t entry = header + len;
  // lpEncodeBacklen's widths (its bounds are 127, then 2^k - 1 exclusive).
  const size_t backlen = entry <= 127 ? 1 : entry < 16383 ? 2 : entry < 2097151 ? 3 : entry < 268435455 ? 4 : 5;
  if (lp.size() - *pos - entry < backlen) return false;
  if (is_int) {
    *out = std::to_string(v);
  } else {
    out->assign(lp.substr(*pos + header, len));
  }
  *pos += entry + backlen;
  return true;
}

// A listpack's entries: a 6-byte header (total bytes, count), the entries,
// then 0xff.
bool read_listpack(std::string_view lp, std::vector<std::string>* out) {
  if (lp.size() < 7 || static_cast<uint8_t>(lp.back()) != 0xff) return false;
  uint32_t total = 0;
  for (int i = 3; i >= 0; --i) total = (total << 8) | static_cast<uint8_t>(lp[static_cast<size_t>(i)]);
  if (total != lp.size()) return false;
  const std::string_view body = lp.substr(0, lp.size() - 1);
  size_t pos = 6;
  while (pos < body.size()) {
    std::string entry;
    if (!read_listpack_entry(body, &pos, &entry)) return false;
    out->push_back(std::move(entry));
  }
  return pos == body.size();
}

// A hash's listpack (RDB type 16): field and value entries alternating.
bool read_hash_listpack(std::string_view lp, std::vector<std::pair<std::string, std::string>>* out) {
  std::vector<std::string> entries;
  if (!read_listpack(lp, &entries) || entries.size() % 2 != 0) return false;
  for (size_t i = 0; i < entries.size(); i += 2) out->emplace_back(std::move(entries[i]), std::move(entries[i + 1]));
  return true;
}

// A set's listpack (RDB type 20): the members.
bool read_set_listpack(std::string_view lp, std::vector<std::pair<std::string, std::string>>* out) {
  std::vector<std::string> entries;
  if (!read_listpack(lp, &entries)) return false;
  for (std::string& m : entries) out->emplace_back(std::move(m), std::string());
  return true;
}

// A score as Redis's zzlStrtod / strtod reads a listpack's text, but
// strictly: the whole entry must be the number, and NaN is refused (Redis
// reports "Zset with NAN score" for the RDB forms).
bool parse_score(std::string_view s, double* out) {
  if (s.empty() || s.size() > 128) return false;
  char buf[130];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  const double v = std::strtod(buf, &end);
  if (end != buf + s.size() || std::isnan(v)) return false;
  *out = v;
  return true;
}

// A sorted set's listpack (RDB type 17): member and score entries
// alternating. Redis keeps them in order; any order is taken here (the
// set is rebuilt), but the pairs must be whole and the scores numbers.
bool read_zset_listpack(std::string_view lp, DecodedPayload* d) {
  std::vector<std::string> entries;
  if (!read_listpack(lp, &entries) || entries.size() % 2 != 0) return false;
  for (size_t i = 0; i < entries.size(); i += 2) {
    double score;
    if (!parse_score(entries[i + 1], &score)) return false;
    d->fields.emplace_back(std::move(entries[i]), std::string());
    d->scores.push_back(score);
  }
  return true;
}

// Redis's rdbLoadDoubleValue (RDB type 3): a length byte, 253 254 255 for
// NaN, +inf and -inf, else that many bytes of decimal text.
bool read_text_double(Reader& r, double* out) {
  uint8_t len;
  if (!r.byte(&len)) return false;
  if (len == 253) return false;  // NaN: refused, as Redis does
  if (len == 254 || len == 255) {
    *out = len == 254 ? HUGE_VAL : -HUGE_VAL;
    return true;
  }
  std::string_view text;
  return r.bytes(len, &text) && parse_score(text, out);
}

// Redis's rdbLoadBinaryDoubleValue (RDB type 5): 8 bytes, little endian.
bool read_binary_double(Reader& r, double* out) {
  std::string_view raw;
  if (!r.bytes(8, &raw)) return false;
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<uint8_t>(raw[static_cast<size_t>(i)]);
  double v;
  std::memcpy(&v, &bits, sizeof v);
  if (std::isnan(v)) return false;
  *out = v;
  return true;
}

// Redis's intset (RDB type 11): the width of each integer (2, 4 or 8 bytes),
// the count, then the integers, little endian, ascending.
bool read_intset(std::string_view s, std::vector<std::pair<std::string, std::string>>* out) {
  auto le = [&](size_t at, size_t n) {
    uint64_t x = 0;
    for (size_t i = n; i-- > 0;) x = (x << 8) | static_cast<uint8_t>(s[at + i]);
    return x;
  };
  if (s.size() < 8) return false;
  const uint64_t width = le(0, 4), count = le(4, 4);
  if ((width != 2 && width != 4 && width != 8) || s.size() != 8 + width * count) return false;
  for (uint64_t i = 0; i < count; ++i) {
    out->emplace_back(std::to_string(sign_extend(le(8 + i * width, width), static_cast<int>(width))), std::string());
  }
  return true;
}

// Redis 7's RDB object types, by what they hold.
const char* rdb_type_name(uint8_t type) {
  switch (type) {
    case 1: case 10: case 14: case 18: return "a list";
    case 2: case 11: case 20: return "a set";
    case 3: case 5: case 12: case 17: return "a sorted set";
    case 4: case 9: case 13: case 16: return "a hash";
    case 15: case 19: case 21: return "a stream";
    case 6: case 7: return "a module value";
    default: return nullptr;
  }
}

}  // namespace

static_assert(std::endian::native == std::endian::little, "crc64_jones reads 8 bytes as a little-endian word");

uint64_t crc64_jones(uint64_t crc, std::string_view bytes) {
  const auto& t = kCrc64Tables;
  const char* p = bytes.data();
  size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // little endian on every target we build (x86-64, AArch64)
    const uint64_t x = crc ^ word;
    crc = t[7][x & 0xff] ^ t[6][(x >> 8) & 0xff] ^ t[5][(x >> 16) & 0xff] ^ t[4][(x >> 24) & 0xff] ^
          t[3][(x >> 32) & 0xff] ^ t[2][(x >> 40) & 0xff] ^ t[1][(x >> 48) & 0xff] ^ t[0][x >> 56];
  }
  for (; n > 0; ++p, --n) crc = t[0][(crc ^ static_cast<uint8_t>(*p)) & 0xff] ^ (crc >> 8);
  return crc;
}

namespace {

// One RDB string: the integer encoding for a canonical 32-bit decimal,
// otherwise a length and the bytes (Redis also compresses with LZF; RESTORE
// accepts either).
void put_string(std::string& out, std::string_view s) {
  if (!put_integer(out, s)) {
    put_length(out, s.size());
    out.append(s);
  }
}

// Redis's rdbSaveRawString with rdbcompression on (its default): the
// integer encoding, else LZF for more than 20 bytes when that saves more
// than 4 (rdbSaveLzfStringObject), else length and bytes. Sorted sets use
// it so that their DUMP is Redis's bytes.
void put_string_compressed(std::string& out, std::string_view s) {
  if (s.size() <= 11 && put_integer(out, s)) return;
  if (s.size() > 20) {
    if (auto packed = lzf_compress(s, s.size() - 4)) {
      out.push_back(static_cast<char>((kEncVal << 6) | kEncLzf));
      put_length(out, packed->size());
      put_length(out, s.size());
      out.append(*packed);
      return;
    }
  }
  put_length(out, s.size());
  out.append(s);
}

// Redis's lpStringToInt64: a canonical decimal int64 (no sign on 0, no
// leading zeros or '+'), which a listpack stores as an integer.
bool listpack_int(std::string_view s, int64_t* v) {
  if (s.empty() || s.size() > 20) return false;
  const auto n = store::parse_int64(s);
  if (!n) return false;
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *n);
  if (ec != std::errc() || std::string_view(buf, static_cast<size_t>(end - buf)) != s) return false;
  *v = *n;
  return true;
}

// One listpack entry (listpack.c lpInsert): the encoding, the data, then
// the back-length of the two.
void put_listpack_integer(std::string& lp, int64_t v) {
  std::string e;
  const auto u = static_cast<uint64_t>(v);
  if (v >= 0 && v <= 127) {
    e.push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t x = v < 0 ? (uint64_t{1} << 13) + u : u;
    e.push_back(static_cast<char>(0xc0 | (x >> 8)));
    e.push_back(static_cast<char>(x & 0xff));
  } else {
    const int n = v >= -32768 && v <= 32767 ? 2 : v >= -8388608 && v <= 8388607 ? 3 : v >= INT32_MIN && v <= INT32_MAX ? 4 : 8;
    e.push_back(static_cast<char>(n == 2 ? 0xf1 : n == 3 ? 0xf2 : n == 4 ? 0xf3 : 0xf4));
    put_le(e, u, n);  // two's complement, little endian: Redis's bytes
  }
  lp += e;
  const uint64_t l = e.size();
  lp.push_back(static_cast<char>(l));  // at most 9: one byte
}

void put_listpack_backlen(std::string& lp, uint64_t l) {
  if (l <= 127) {
    lp.push_back(static_cast<char>(l));
    return;
  }
  const int n = l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
  lp.push_back(static_cast<char>((l >> (7 * (n - 1))) & 0xff));
  for (int i = n - 2; i >= 0; --i) lp.push_back(static_cast<char>(((l >> (7 * i)) & 127) | 128));
}

void put_listpack_string(std::string& lp, std::string_view s) {
  int64_t v;
  if (listpack_int(s, &v)) {
    put_listpack_integer(lp, v);
    return;
  }
  const size_t before = lp.size();
  if (s.size() < 64) {
    lp.push_back(static_cast<char>(0x80 | s.size()));
  } else if (s.size() < 4096) {
    lp.push_back(static_cast<char>(0xe0 | (s.size() >> 8)));
    lp.push_back(static_cast<char>(s.size() & 0xff));
  } else {
    lp.push_back(static_cast<char>(0xf0));
    put_le(lp, s.size(), 4);
  }
  lp.append(s);
  put_listpack_backlen(lp, lp.size() - before);
}

// A score as Redis 7.0's zzlInsertAt stores it: an integer entry when
// double2ll takes it (an integral value within +-2^62; -0 is 0), else
// d2string's text ("inf", "-inf" or %.17g).
void put_listpack_score(std::string& lp, double score) {
  constexpr double kLimit = static_cast<double>(INT64_MAX / 2);
  if (score >= -kLimit && score <= kLimit) {
    const auto ll = static_cast<int64_t>(score);
    if (static_cast<double>(ll) == score) {
      put_listpack_integer(lp, ll);
      return;
    }
  }
  if (std::isinf(score)) {
    put_listpack_string(lp, score < 0 ? "-inf" : "inf");
    return;
  }
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%.17g", score);
  put_listpack_string(lp, std::string_view(buf, static_cast<size_t>(n)));
}

// The footer: the RDB version and the CRC-64 of everything before it.
std::string with_footer(std::string out) {
  put_le(out, kRdbVersion, 2);
  put_le(out, crc64_jones(0, out), 8);
  return out;
}

}  // namespace

namespace {
// rdbcompression's choice: LZF where it pays, or never.
void put_string_as(std::string& out, std::string_view s, bool compress) {
  if (compress) {
    put_string_compressed(out, s);
  } else {
    put_string(out, s);
  }
}
}  // namespace

std::string encode_string_rdb(std::string_view value, bool compress) {
  std::string out;
  out.reserve(value.size() + 24);
  out.push_back(static_cast<char>(kRdbTypeString));
  put_string_as(out, value, compress);
  return out;
}

std::string encode_hash_rdb(const std::vector<store::HashEntry>& entries, bool compress) {
  std::string out;
  out.push_back(static_cast<char>(kRdbTypeHash));
  put_length(out, entries.size());
  for (const store::HashEntry& e : entries) {
    put_string_as(out, e.field, compress);
    put_string_as(out, e.value, compress);
  }
  return out;
}

std::string encode_set_rdb(const std::vector<store::HashEntry>& members, bool compress) {
  std::string out;
  out.push_back(static_cast<char>(kRdbTypeSet));
  put_length(out, members.size());
  for (const store::HashEntry& e : members) put_string_as(out, e.field, compress);
  return out;
}

std::string encode_list_rdb(const std::vector<std::string_view>& elements, bool compress) {
  std::string out;
  out.push_back(static_cast<char>(kRdbTypeList));
  put_length(out, elements.size());
  for (std::string_view e : elements) put_string_as(out, e, compress);
  return out;
}

std::string encode_zset_rdb(const std::vector<store::ZEntry>& ascending, bool listpack, bool compress) {
  std::string out;
  if (listpack) {
    out.push_back(static_cast<char>(kRdbTypeZsetListpack));
    std::string lp(6, '\0');  // total bytes and count, filled in below
    for (const store::ZEntry& e : ascending) {
      put_listpack_string(lp, e.member);
      put_listpack_score(lp, e.score);
    }
    rdb::finish_listpack(lp, uint64_t{ascending.size()} * 2);
    put_string_as(out, lp, compress);
  } else {
    out.push_back(static_cast<char>(kRdbTypeZset2));
    put_length(out, ascending.size());
    for (auto it = ascending.rbegin(); it != ascending.rend(); ++it) {
      put_string_as(out, it->member, compress);
      uint64_t bits;
      std::memcpy(&bits, &it->score, sizeof bits);
      put_le(out, bits, 8);
    }
  }
  return out;
}

std::string encode_dump_payload(std::string_view value) { return with_footer(encode_string_rdb(value, false)); }
std::string encode_hash_dump_payload(const std::vector<store::HashEntry>& entries) { return with_footer(encode_hash_rdb(entries, false)); }
std::string encode_set_dump_payload(const std::vector<store::HashEntry>& members) { return with_footer(encode_set_rdb(members, false)); }
std::string encode_list_dump_payload(const std::vector<std::string_view>& elements) { return with_footer(encode_list_rdb(elements, false)); }
std::string encode_zset_dump_payload(const std::vector<store::ZEntry>& ascending, bool listpack) { return with_footer(encode_zset_rdb(ascending, listpack, true)); }

std::string add_dump_footer(std::string body) { return with_footer(std::move(body)); }

std::optional<std::string> lzf_compress(std::string_view in, size_t out_len) {
  // liblzf's own compressor (Debian's liblzf 3.6, built as Redis builds its
  // copy: HLOG 16, VERY_FAST): any other valid compression would decode the
  // same but not be Redis's bytes. It returns 0 when the result does not fit.
  if (in.empty() || out_len == 0 || in.size() > UINT32_MAX) return std::nullopt;
  std::string out(std::min<size_t>(out_len, UINT32_MAX), '\0');
  const unsigned n = ::lzf_compress(in.data(), static_cast<unsigned>(in.size()), out.data(),
                                    static_cast<unsigned>(out.size()));
  if (n == 0) return std::nullopt;
  out.resize(n);
  return out;
}

std::optional<std::string> lzf_decompress(std::string_view in, size_t out_len) {
  std::string out;
  // Never more than the input could expand to (a malformed out_len fails
  // below, after at most that much).
  out.reserve(std::min<uint64_t>(out_len, in.size() * kLzfMaxExpansion));
  size_t ip = 0;
  while (ip < in.size()) {
    const uint8_t ctrl = static_cast<uint8_t>(in[ip++]);
    if (ctrl < (1u << 5)) {  // a literal run of ctrl + 1 bytes
      const size_t run = ctrl + 1u;
      if (out.size() + run > out_len || in.size() - ip < run) return std::nullopt;
      out.append(in.substr(ip, run));
      ip += run;
    } else {  // a back reference: len + 2 bytes from `distance` back
      size_t len = ctrl >> 5;
      size_t distance = static_cast<size_t>(ctrl & 0x1f) << 8;
      if (ip >= in.size()) return std::nullopt;
      if (len == 7) {
        len += static_cast<uint8_t>(in[ip++]);
        if (ip >= in.size()) return std::nullopt;
      }
      distance += static_cast<uint8_t>(in[ip++]) + 1u;
      if (out.size() + len + 2 > out_len || distance > out.size()) return std::nullopt;
      size_t from = out.size() - distance;
      for (size_t i = 0; i < len + 2; ++i) out.push_back(out[from + i]);  // may overlap what it appends
    }
  }
  if (out.size() != out_len) return std::nullopt;
  return out;
}

namespace {

// The footer of a DUMP payload: a version this server reads and the CRC-64
// of everything before the checksum.
bool footer_ok(std::string_view payload) {
  if (payload.size() < kFooterBytes) return false;
  const std::string_view footer = payload.substr(payload.size() - kFooterBytes);
  const uint16_t version =
      static_cast<uint16_t>(static_cast<uint8_t>(footer[0]) | (static_cast<uint8_t>(footer[1]) << 8));
  uint64_t crc = 0;
  for (int i = 7; i >= 0; --i) crc = (crc << 8) | static_cast<uint8_t>(footer[2 + static_cast<size_t>(i)]);
  return version <= kRdbVersion && crc == crc64_jones(0, payload.substr(0, payload.size() - 8));
}

}  // namespace

DecodedPayload decode_dump_payload(std::string_view payload, uint64_t max_value) {
  DecodedPayload d;
  const char* kWrongFooter = "ERR DUMP payload version or checksum are wrong";
  if (!footer_ok(payload)) {
    d.error = kWrongFooter;
    return d;
  }
  Reader r(payload.substr(0, payload.size() - kFooterBytes));
  uint8_t type;
  if (!r.byte(&type)) {
    d.error = "ERR Bad data format";
    return d;
  }
  return decode_rdb_value(r, type, max_value);
}

DecodedPayload decode_rdb_value(rdb::Reader& r, uint8_t type, uint64_t max_value) {
  DecodedPayload d;
  bool too_large = false;
  bool ok = false;
  if (type == kRdbTypeString) {
    ok = load_string(r, max_value, &d.value, &too_large);
  } else if (type == kRdbTypeHash) {
    d.type = store::ValueType::kHash;
    uint64_t pairs;
    bool encoded;
    ok = r.length(&pairs, &encoded) && !encoded && pairs > 0;
    // No reserve from the claimed count: each string takes at least a byte
    // of the payload, so a false count ends at the payload's end.
    for (uint64_t i = 0; ok && i < pairs; ++i) {
      std::string field, value;
      ok = load_string(r, max_value, &field, &too_large) && load_string(r, max_value, &value, &too_large);
      if (ok) d.fields.emplace_back(std::move(field), std::move(value));
    }
  } else if (type == kRdbTypeSet) {
    d.type = store::ValueType::kSet;
    uint64_t members;
    bool encoded;
    ok = r.length(&members, &encoded) && !encoded && members > 0;
    for (uint64_t i = 0; ok && i < members; ++i) {
      std::string member;
      ok = load_string(r, max_value, &member, &too_large);
      if (ok) d.fields.emplace_back(std::move(member), std::string());
    }
  } else if (type == kRdbTypeSetIntset || type == kRdbTypeSetListpack) {
    d.type = store::ValueType::kSet;
    std::string blob;
    ok = load_string(r, max_value, &blob, &too_large) &&
         (type == kRdbTypeSetIntset ? read_intset(blob, &d.fields) : read_set_listpack(blob, &d.fields)) &&
         !d.fields.empty();
  } else if (type == kRdbTypeList) {
    d.type = store::ValueType::kList;
    uint64_t elements;
    bool encoded;
    ok = r.length(&elements, &encoded) && !encoded && elements > 0;
    for (uint64_t i = 0; ok && i < elements; ++i) {
      std::string e;
      ok = load_string(r, max_value, &e, &too_large);
      if (ok) d.fields.emplace_back(std::move(e), std::string());
    }
  } else if (type == kRdbTypeListQuicklist2) {
    // Nodes: a container kind (plain: one element; packed: a listpack),
    // then the node as an RDB string. Redis skips empty listpacks.
    d.type = store::ValueType::kList;
    uint64_t nodes;
    bool encoded;
    ok = r.length(&nodes, &encoded) && !encoded && nodes > 0;
    for (uint64_t i = 0; ok && i < nodes; ++i) {
      uint64_t container;
      std::string node;
      ok = r.length(&container, &encoded) && !encoded &&
           (container == kQuicklistNodePlain || container == kQuicklistNodePacked) &&
           load_string(r, max_value, &node, &too_large);
      if (!ok) break;
      if (container == kQuicklistNodePlain) {
        d.fields.emplace_back(std::move(node), std::string());
      } else {
        std::vector<std::string> entries;
        ok = read_listpack(node, &entries);
        for (std::string& e : entries) d.fields.emplace_back(std::move(e), std::string());
      }
    }
    ok = ok && !d.fields.empty();
  } else if (type == kRdbTypeZset || type == kRdbTypeZset2) {
    d.type = store::ValueType::kZSet;
    uint64_t members;
    bool encoded;
    ok = r.length(&members, &encoded) && !encoded && members > 0;
    for (uint64_t i = 0; ok && i < members; ++i) {
      std::string member;
      double score = 0;
      ok = load_string(r, max_value, &member, &too_large) &&
           (type == kRdbTypeZset2 ? read_binary_double(r, &score) : read_text_double(r, &score));
      if (ok) {
        d.fields.emplace_back(std::move(member), std::string());
        d.scores.push_back(score);
      }
    }
  } else if (type == kRdbTypeZsetListpack) {
    d.type = store::ValueType::kZSet;
    d.from_listpack = true;
    std::string lp;
    ok = load_string(r, max_value, &lp, &too_large) && read_zset_listpack(lp, &d) && !d.fields.empty();
  } else if (type == kRdbTypeHashListpack) {
    d.type = store::ValueType::kHash;
    std::string lp;
    ok = load_string(r, max_value, &lp, &too_large) && read_hash_listpack(lp, &d.fields) && !d.fields.empty();
  } else if (type == kRdbTypeStreamListpacks || type == kRdbTypeStreamListpacks2 ||
             type == kRdbTypeStreamListpacks3) {
    d.type = store::ValueType::kStream;
    store::Stream s;
    d.error = decode_stream_rdb(r, type, max_value, &s);
    if (d.error.empty()) d.stream = std::move(s);
    return d;
  } else {
    if (const char* name = rdb_type_name(type)) {
      d.error = std::string("ERR tmkv stores strings, hashes, sets, lists, sorted sets and streams only; "
                            "this DUMP payload holds ") + name;
      if (std::string_view(name) == "a list") d.error = "ERR tmkv does not read this older encoding of a list (ziplist)";
      if (std::string_view(name) == "a hash") d.error = "ERR tmkv does not read this older encoding of a hash (zipmap or ziplist)";
      if (type == kRdbTypeZsetZiplist) d.error = "ERR tmkv does not read this older encoding of a sorted set (ziplist)";
    } else {
      d.error = "ERR Bad data format";
    }
    return d;
  }
  // Redis refuses repeated fields and members ("Duplicate zset fields
  // detected"; a listpack's, under sanitize-dump-payload).
  if (ok && (store::is_trie(d.type) || d.type == store::ValueType::kZSet)) {
    std::vector<std::string_view> names;
    for (const auto& f : d.fields) names.push_back(f.first);
    std::sort(names.begin(), names.end());
    ok = std::adjacent_find(names.begin(), names.end()) == names.end();
  }
  if (!ok) {
    d.error = too_large ? "ERR string exceeds maximum allowed size (proto-max-bulk-len)" : "ERR Bad data format";
    d.value.clear();
    d.fields.clear();
    d.scores.clear();
  }
  return d;
}

namespace {

// RDB opcodes of a function library: Redis 7.0's, and the pre-GA one that
// 7.0 still reads.
constexpr uint8_t kRdbOpcodeFunction2 = 245;
constexpr uint8_t kRdbOpcodeFunctionPreGa = 246;

}  // namespace

std::string encode_functions_dump_payload(const std::vector<std::string_view>& codes) {
  std::string out;
  for (std::string_view code : codes) {
    out.push_back(static_cast<char>(kRdbOpcodeFunction2));
    put_string_compressed(out, code);
  }
  return with_footer(std::move(out));
}

DecodedFunctions decode_functions_dump_payload(std::string_view payload, uint64_t max_code) {
  DecodedFunctions d;
  if (!footer_ok(payload)) {
    d.error = "ERR DUMP payload version or checksum are wrong";
    return d;
  }
  Reader r(payload.substr(0, payload.size() - kFooterBytes));
  bool too_large = false;  // reported as any other unreadable string
  while (!r.done()) {
    uint8_t type = 0;
    r.byte(&type);  // not done: cannot fail
    if (type == kRdbOpcodeFunction2) {
      std::string code;
      if (!load_string(r, max_code, &code, &too_large)) {
        d.error = "ERR Failed loading library payload";
        return d;
      }
      d.codes.push_back(std::move(code));
    } else if (type == kRdbOpcodeFunctionPreGa) {
      std::string name, engine, description, body;
      uint64_t has_description;
      bool encoded;  // ignored: Redis takes the value either way
      if (!load_string(r, max_code, &name, &too_large)) {
        d.error = "ERR Failed loading library name";
        return d;
      }
      if (!load_string(r, max_code, &engine, &too_large)) {
        d.error = "ERR Failed loading engine name";
        return d;
      }
      // An unreadable flag counts as none (the body's read then fails, as
      // in Redis, with "blob").
      if (!r.length(&has_description, &encoded)) has_description = 0;
      if (has_description != 0 && !load_string(r, max_code, &description, &too_large)) {
        d.error = "ERR Failed loading library description";
        return d;
      }
      if (!load_string(r, max_code, &body, &too_large)) {
        d.error = "ERR Failed loading library blob";
        return d;
      }
      d.codes.push_back("#!" + engine + " name=" + name + "\n" + body);
    } else {
      d.error = "ERR given type is not a function";
      return d;
    }
  }
  return d;
}

namespace rdb {

void put_le(std::string& out, uint64_t v, int bytes) { server::put_le(out, v, bytes); }
void put_length(std::string& out, uint64_t len) { server::put_length(out, len); }
void put_string(std::string& out, std::string_view s) { server::put_string(out, s); }
void put_string_compressed(std::string& out, std::string_view s) { server::put_string_compressed(out, s); }
bool read_string(Reader& r, uint64_t max_value, std::string* out, bool* too_large) {
  return server::load_string(r, max_value, out, too_large);
}
void put_listpack_string(std::string& lp, std::string_view s) { server::put_listpack_string(lp, s); }
void put_listpack_integer(std::string& lp, int64_t v) { server::put_listpack_integer(lp, v); }
void finish_listpack(std::string& lp, uint64_t count) {
  lp.push_back(static_cast<char>(0xff));
  std::string header;
  server::put_le(header, lp.size(), 4);
  // lpInsert stops counting at 65535 (LP_HDR_NUMELE_UNKNOWN).
  server::put_le(header, std::min<uint64_t>(count, 65535), 2);
  lp.replace(0, 6, header);
}
bool read_listpack(std::string_view lp, std::vector<std::string>* out) { return server::read_listpack(lp, out); }

}  // namespace rdb

}  // namespace tmkv::server
