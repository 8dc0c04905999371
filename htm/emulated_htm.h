// Emulated HTM: a software model of a best-effort hardware transaction, so
// the hybrid protocol can be tested on CPUs without RTM (ours: AMD EPYC).
//
// WHAT IT MODELS (and why each matters for hybrid TM)
//   - Writes are buffered and invisible to every other thread until commit;
//     commit makes them visible at once (readers never see half of it).
//   - Read and write sets are tracked per 64-byte line, and they include
//     every Shared<> word the protocol touches: version locks, values, the
//     global clock, the serial gate, index links.
//   - A transaction is doomed as soon as another thread writes one of its
//     lines, whoever writes it: another emulated transaction's commit, a
//     software transaction, or plain code. A doomed transaction never
//     returns another value to its user code; it aborts at its next access
//     or at commit, with the RTM status CONFLICT|RETRY.
//   - Capacity aborts past a configurable number of lines (RTM: CAPACITY).
//   - Spurious aborts at a configurable rate (RTM: status 0 or RETRY).
//   - Forced fallback: a configurable share of begins fail at once with
//     CAPACITY, as if the transaction could never fit, to drive that share
//     of transactions onto the software path.
//
// HOW: when enabled, stm::Shared<> routes every access through hooks. Each
// line hashes to a stripe holding a seqlock and a bitmap of the emulated
// transactions that track a line of it. Plain stores lock their stripe,
// store, doom the stripe's trackers and unlock; plain loads read under the
// seqlock. An emulated commit locks all its stripes in address order,
// checks it is not doomed, applies its buffer, dooms the trackers of the
// lines it wrote, and unlocks. Stripe sharing only adds false conflicts,
// which real HTM has too (false sharing).
//
// Abort delivery: real RTM rewinds to XBEGIN; the emulation throws
// EmulatedAbort from the access that found the abort. The hybrid catches it
// where RTM would resume (htm/hybrid.h).
//
// Status words use RTM's bit layout (immintrin.h _XABORT_*), so one decoder
// serves both. At most 64 threads may use it at once; a 65th gets an
// immediate non-retryable abort and runs in software.
#pragma once

#include <cstdint>

namespace tmkv::htm {

struct EmulationConfig {
  uint32_t max_read_lines = 512;   // read-set capacity, in 64-byte lines
  uint32_t max_write_lines = 64;   // write-set capacity
  uint32_t spurious_aborts_per_million = 0;  // per access
  uint32_t forced_fallback_percent = 0;      // share of begins that fail
  uint64_t seed = 42;
};

namespace emu {

// RTM's status layout (Intel SDM vol. 1, 16.3.5; immintrin.h).
inline constexpr uint32_t kStarted = ~0u;
inline constexpr uint32_t kExplicit = 1u << 0;
inline constexpr uint32_t kRetry = 1u << 1;
inline constexpr uint32_t kConflict = 1u << 2;
inline constexpr uint32_t kCapacity = 1u << 3;
inline constexpr uint32_t kNested = 1u << 5;
inline constexpr uint32_t explicit_status(uint8_t code) { return kExplicit | (uint32_t{code} << 24); }

struct EmulatedAbort {
  uint32_t status;
};

// Installs the Shared<> hooks. REQUIRES: no thread inside any transaction.
void enable(const EmulationConfig& config);
void disable();
bool enabled();

// The emulated XBEGIN: kStarted, or an abort status (forced fallback, no
// free slot, nested).
uint32_t begin();
// The emulated XEND: returns on commit, throws EmulatedAbort otherwise.
void commit();
// The emulated XABORT: discards the transaction, throws EmulatedAbort.
[[noreturn]] void abort(uint8_t code);
// The emulated XTEST.
bool in_transaction();
// Ends a transaction that is unwinding because of an exception from user
// code (the hybrid then reruns it in software). No-op if none is active.
void discard();

}  // namespace emu
}  // namespace tmkv::htm
