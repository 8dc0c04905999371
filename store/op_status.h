// Outcomes of keyspace operations, and the one place that turns them into
// the Redis error text a client sees (after Dragonfly's OpStatus/OpResult).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

namespace tmkv::store {

enum class OpStatus : uint8_t {
  kOk = 0,
  kWrongType,      // the key holds another type
  kNotInteger,     // value is not a 64-bit signed integer
  kOverflow,       // increment or decrement would overflow
  kValueTooLarge,  // value above StoreOptions::max_value_bytes
  kKeyTooLarge,    // key above Record::kMaxKeySize
};

// Redis's text for the status (without the leading '-').
std::string_view op_status_message(OpStatus s);

// A value or a failure status.
template <class T>
class OpResult {
 public:
  OpResult(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  OpResult(OpStatus s) : status_(s) {}            // NOLINT
  bool ok() const { return status_ == OpStatus::kOk; }
  OpStatus status() const { return status_; }
  const T& value() const { return value_; }
  T& value() { return value_; }

 private:
  OpStatus status_ = OpStatus::kOk;
  T value_{};
};

}  // namespace tmkv::store
