// A transactional word: the unit TL2 versions, locks and validates.
//
// LOCK WORD LAYOUT (64 bits)
//   bit 0      : locked. Set by a committing writer between lock acquisition
//                and release; the version bits stay what they were, so a
//                validator can still compare them with its read version.
//   bits 63..1 : version, the global-clock value of the last commit that
//                wrote this word (0 = never written since creation).
//   kDeadLock  : all ones. Set once by the store's reaper on a record it is
//                about to unlink; never released. Readers and writers treat
//                it as "locked forever" and retry from the index.
//
// Who writes what:
//   lock  : only a committing transaction that owns it (CAS to acquire,
//           release-store to publish the new version), or the reaper.
//   value : only the owner of `lock`, between acquisition and release.
// Readers never write either word (TL2 reads are invisible).
#pragma once

#include <atomic>
#include <cstdint>

#include "stm/shared_word.h"

namespace tmkv::stm {

using Version = uint64_t;

inline constexpr uint64_t kLockBit = 1;
inline constexpr uint64_t kDeadLock = ~uint64_t{0};

constexpr bool is_locked(uint64_t lock_word) { return (lock_word & kLockBit) != 0; }
constexpr Version version_of(uint64_t lock_word) { return lock_word >> 1; }
constexpr uint64_t unlocked_word(Version v) { return v << 1; }
constexpr uint64_t locked_word(uint64_t unlocked) { return unlocked | kLockBit; }

// 16 bytes: the lock word and the value share a cache line (when the owner
// aligns the TWord to 16), so a TL2 read costs one line, as the TL2 paper and
// Silo recommend, instead of a second line in a striped lock table.
struct TWord {
  Shared<uint64_t> lock;
  Shared<uint64_t> value;

  TWord() = default;
  explicit TWord(uint64_t initial) : value(initial) {}
  TWord(const TWord&) = delete;
  TWord& operator=(const TWord&) = delete;
};
static_assert(sizeof(TWord) == 16);

}  // namespace tmkv::stm
