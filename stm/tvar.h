// TVar<T>: a transactional variable (Haskell's TVar), read and written only
// inside atomically().
//
// Representation, chosen at compile time:
//   - inline: T trivially copyable and at most 8 bytes (integers, pointers,
//     small structs) lives in the TWord's value bits. No allocation.
//   - boxed: any other T lives in an immutable heap box; a write allocates a
//     new box, commit swaps the pointer and retires the old box to the epoch
//     reclaimer, so a reader that still holds a reference keeps a valid one.
#pragma once

#include <bit>
#include <cstring>
#include <type_traits>
#include <utility>

#include "stm/tx.h"

namespace tmkv::stm {

template <class T>
inline constexpr bool kInlineTVar = std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(uint64_t);

template <class T>
class alignas(16) TVar {
 public:
  TVar() : TVar(T{}) {}
  explicit TVar(T initial) : word_(encode_new(std::move(initial))) {}
  ~TVar() {
    if constexpr (!kInlineTVar<T>) delete box(word_.value.load(std::memory_order_relaxed));
  }
  TVar(const TVar&) = delete;
  TVar& operator=(const TVar&) = delete;

  // The value in tx's snapshot. Boxed values are returned by reference,
  // valid until the transaction attempt ends.
  auto read(Tx& tx) const -> std::conditional_t<kInlineTVar<T>, T, const T&> {
    if constexpr (kInlineTVar<T>) {
      return decode(tx.read_word(word_));
    } else {
      tx.pin();
      return *box(tx.read_word(word_));
    }
  }

  void write(Tx& tx, T value) {
    if constexpr (kInlineTVar<T>) {
      tx.write_word(word_, encode(value), nullptr);
    } else {
      tx.write_word(word_, encode_new(std::move(value)), &kBoxOps);
    }
  }

  // Reads outside any transaction. REQUIRES: no concurrent writer (set-up,
  // tests, and single-threaded baselines only).
  T unsafe_peek() const {
    uint64_t v = word_.value.load(std::memory_order_acquire);
    if constexpr (kInlineTVar<T>) {
      return decode(v);
    } else {
      return *box(v);
    }
  }

  const TWord& word() const { return word_; }

 private:
  static uint64_t encode(const T& v) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    return bits;
  }
  static T decode(uint64_t bits) {
    T v;
    std::memcpy(&v, &bits, sizeof(T));
    return v;
  }
  static uint64_t encode_new(T v) {
    if constexpr (kInlineTVar<T>) {
      return encode(v);
    } else {
      return reinterpret_cast<uint64_t>(new T(std::move(v)));
    }
  }
  static const T* box(uint64_t bits) { return reinterpret_cast<const T*>(bits); }
  static void delete_box(void* p) { delete static_cast<T*>(p); }
  static constexpr ValueOps kBoxOps{&delete_box, nullptr, nullptr};

  mutable TWord word_;
};

}  // namespace tmkv::stm
