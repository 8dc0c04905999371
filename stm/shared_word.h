// Shared<T>: the accessor for every word the transaction protocol shares
// between threads (TWord lock and value, the global clock, the serial gate,
// the store index's links). It is a std::atomic<T> in every way that matters
// — same operations, same memory orders — with one addition: when the
// emulated HTM is enabled (htm/emulated_htm.h), each access is routed
// through hooks that track 64-byte lines for emulated hardware transactions,
// buffer their writes, and doom them when any other thread writes a line
// they touched. That is what lets us test the hybrid protocol on CPUs
// without RTM.
//
// COST: with emulation off the hook pointer is null and each access pays
// one predictable branch on a read-mostly global (measured in
// docs/BENCHMARKS.md, "auto vs stm"). Building with -DTMKV_HTM_EMULATION=OFF
// removes even that branch and the emulated mode with it.
//
// T must be trivially copyable and 8 bytes (integers, pointers): the hooks
// work on 64-bit words.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <type_traits>

namespace tmkv::stm {

// Installed by the emulated HTM; all functions take the raw word.
struct SharedMemoryHooks {
  uint64_t (*load)(const std::atomic<uint64_t>& w, std::memory_order mo);
  void (*store)(std::atomic<uint64_t>& w, uint64_t v, std::memory_order mo);
  bool (*compare_exchange)(std::atomic<uint64_t>& w, uint64_t& expected, uint64_t desired, std::memory_order mo);
  uint64_t (*fetch_add)(std::atomic<uint64_t>& w, uint64_t delta, std::memory_order mo);
};

#ifndef TMKV_HTM_EMULATION
#define TMKV_HTM_EMULATION 1
#endif

#if TMKV_HTM_EMULATION
// Written only while no transaction runs (htm::configure); relaxed loads are
// enough because thread creation and joins order it with every user.
extern std::atomic<const SharedMemoryHooks*> g_shared_memory_hooks;
inline const SharedMemoryHooks* shared_memory_hooks() {
  return g_shared_memory_hooks.load(std::memory_order_relaxed);
}
#else
inline const SharedMemoryHooks* shared_memory_hooks() { return nullptr; }
#endif

template <class T>
class Shared {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) == 8, "Shared<T> holds 64-bit words");

 public:
  constexpr Shared() : bits_(0) {}
  explicit Shared(T v) : bits_(std::bit_cast<uint64_t>(v)) {}
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  T load(std::memory_order mo = std::memory_order_seq_cst) const {
    if (const SharedMemoryHooks* h = shared_memory_hooks(); h != nullptr) [[unlikely]]
      return from(h->load(bits_, mo));
    return from(bits_.load(mo));
  }
  void store(T v, std::memory_order mo = std::memory_order_seq_cst) {
    if (const SharedMemoryHooks* h = shared_memory_hooks(); h != nullptr) [[unlikely]]
      return h->store(bits_, to(v), mo);
    bits_.store(to(v), mo);
  }
  // Strong CAS; `failure` order is the load part of `mo`.
  bool compare_exchange_strong(T& expected, T desired, std::memory_order mo = std::memory_order_seq_cst) {
    uint64_t e = to(expected);
    bool ok;
    if (const SharedMemoryHooks* h = shared_memory_hooks(); h != nullptr) [[unlikely]] {
      ok = h->compare_exchange(bits_, e, to(desired), mo);
    } else {
      ok = bits_.compare_exchange_strong(e, to(desired), mo, failure_order(mo));
    }
    expected = from(e);
    return ok;
  }
  T fetch_add(uint64_t delta, std::memory_order mo = std::memory_order_seq_cst)
    requires std::is_integral_v<T>
  {
    if (const SharedMemoryHooks* h = shared_memory_hooks(); h != nullptr) [[unlikely]]
      return from(h->fetch_add(bits_, delta, mo));
    return from(bits_.fetch_add(delta, mo));
  }

  // The plain atomic, bypassing emulation. For memory no transaction can
  // reach (construction, teardown), and for hot paths that have checked
  // shared_memory_hooks() == nullptr for their whole duration (Tx).
  std::atomic<uint64_t>& raw() { return bits_; }
  const std::atomic<uint64_t>& raw() const { return bits_; }

 private:
  static constexpr std::memory_order failure_order(std::memory_order mo) {
    switch (mo) {
      case std::memory_order_acq_rel:
        return std::memory_order_acquire;
      case std::memory_order_release:
        return std::memory_order_relaxed;
      default:
        return mo;
    }
  }
  static T from(uint64_t b) { return std::bit_cast<T>(b); }
  static uint64_t to(T v) { return std::bit_cast<uint64_t>(v); }

  std::atomic<uint64_t> bits_;
};

}  // namespace tmkv::stm
