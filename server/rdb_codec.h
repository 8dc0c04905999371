// The primitives of Redis's RDB encoding that more than one file needs:
// a bounds-checked reader, lengths, strings (plain, integer-encoded or LZF),
// and listpack entries. rdb_string.h builds DUMP payloads from them,
// rdb_stream.h a stream's object and rdb_file.h whole snapshot files.
//
// Every read is bounds-checked and reports failure instead of reading past
// its input, so hostile bytes (a RESTORE payload, a damaged file) end in a
// clear error, never in a crash or an allocation larger than the input
// justifies (read_string's max_value).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::server::rdb {

// Redis's length encodings (rdbSaveLen): the top two bits of the first byte.
inline constexpr uint8_t k6BitLen = 0;
inline constexpr uint8_t k14BitLen = 1;
inline constexpr uint8_t k32BitLen = 0x80;
inline constexpr uint8_t k64BitLen = 0x81;
inline constexpr uint8_t kEncVal = 3;

// A cursor over the payload's body, every read bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  size_t pos() const { return pos_; }
  bool byte(uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool bytes(size_t n, std::string_view* out) {
    if (in_.size() - pos_ < n) return false;
    *out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == in_.size(); }
  // Redis's rdbLoadLenByRef: a length, or (is_encoded) an encoding type.
  bool length(uint64_t* len, bool* is_encoded) {
    uint8_t b;
    if (!byte(&b)) return false;
    *is_encoded = false;
    const uint8_t type = (b & 0xc0) >> 6;
    if (type == kEncVal) {
      *is_encoded = true;
      *len = b & 0x3f;
    } else if (type == k6BitLen) {
      *len = b & 0x3f;
    } else if (type == k14BitLen) {
      uint8_t lo;
      if (!byte(&lo)) return false;
      *len = (static_cast<uint64_t>(b & 0x3f) << 8) | lo;
    } else if (b == k32BitLen || b == k64BitLen) {
      std::string_view raw;
      if (!bytes(b == k32BitLen ? 4 : 8, &raw)) return false;
      *len = 0;
      for (char c : raw) *len = (*len << 8) | static_cast<uint8_t>(c);
    } else {
      return false;
    }
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// Little-endian fixed-width integer (RDB's expiry times, listpack headers).
void put_le(std::string& out, uint64_t v, int bytes);
// Redis's rdbSaveLen.
void put_length(std::string& out, uint64_t len);
// One RDB string: the integer encoding for a canonical 32-bit decimal,
// else length and bytes.
void put_string(std::string& out, std::string_view s);
// Redis's rdbSaveRawString with rdbcompression on: as put_string, but LZF
// for more than 20 bytes when that saves more than 4.
void put_string_compressed(std::string& out, std::string_view s);
// Redis's rdbGenericLoadStringObject: one RDB string of at most max_value
// bytes (longer: false with *too_large set).
bool read_string(Reader& r, uint64_t max_value, std::string* out, bool* too_large);

// Listpacks (Redis's listpack.c). An entry holding a canonical decimal
// int64 is stored as an integer, as lpAppend does.
void put_listpack_string(std::string& lp, std::string_view s);
void put_listpack_integer(std::string& lp, int64_t v);
// Wraps entries (appended to a string that starts with 6 placeholder bytes)
// into a listpack: header (total bytes, entry count capped at 65535) and
// the 0xff end byte.
void finish_listpack(std::string& lp, uint64_t count);
// All entries of a listpack, integers in decimal; false if malformed.
bool read_listpack(std::string_view lp, std::vector<std::string>* out);

}  // namespace tmkv::server::rdb
