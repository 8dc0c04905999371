// A boxed TVar payload that counts its live instances and marks itself dead
// on destruction, so tests can assert that boxes are freed (no leak) and
// not freed too early (no use while still reachable), even without ASan.
#pragma once

#include <atomic>
#include <cstdint>

#include "stm/tvar.h"

namespace tmkv::stm::testing {

struct Tracked {
  static constexpr uint64_t kAlive = 0xA11CEA11CEull;
  static constexpr uint64_t kDead = 0xDEADDEADDEADull;
  static std::atomic<int64_t>& live() {
    static std::atomic<int64_t> n{0};
    return n;
  }

  explicit Tracked(int64_t v = 0) : value(v) { live().fetch_add(1); }
  Tracked(const Tracked& o) : value(o.value) { live().fetch_add(1); }
  Tracked& operator=(const Tracked& o) {
    value = o.value;
    return *this;
  }
  ~Tracked() {
    magic = kDead;
    live().fetch_sub(1);
  }

  bool alive() const { return magic == kAlive; }

  uint64_t magic = kAlive;
  int64_t value;
};

static_assert(!kInlineTVar<Tracked>, "Tracked must be boxed");

}  // namespace tmkv::stm::testing
