// A stored value and its RDB object, both ways: what DUMP, RESTORE and the
// snapshot files (rdb_file.h) share, so that a value reads back the same
// whichever of them carried it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/rdb_string.h"
#include "store/blob.h"
#include "store/hash_value.h"
#include "store/list_value.h"
#include "store/stream_value.h"
#include "store/zset_value.h"

namespace tmkv::server {

// The value's RDB object (type byte, then its encoding), in the encoding
// Redis 7.0 would give it where the bytes matter (sorted sets); nullopt
// for a type tmkv cannot write. `compress`: rdbcompression (rdb_string.h).
// DUMP passes true for sorted sets only (DUMP's bytes, rdb_string.h).
std::optional<std::string> encode_value_rdb(const store::Blob& b, bool compress);

// A decoded RDB object turned into the bytes store::Store::put() takes.
// put() takes its own reference to a collection's root; this object holds
// one more until it is destroyed, so keep it alive across the put().
class StorableValue {
 public:
  explicit StorableValue(DecodedPayload& p);
  store::ValueType type() const { return type_; }
  std::string_view bytes() const { return bytes_; }

 private:
  store::ValueType type_;
  std::string owned_;      // a collection's body (its root reference)
  std::string_view bytes_;  // what put() stores: owned_, or the payload's string
  store::Hash hash_;
  store::List list_;
  store::ZSet zset_;
  std::optional<store::Stream> stream_;  // taken from the payload
};

}  // namespace tmkv::server
