#include "htm/emulated_htm.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "stm/cpu_relax.h"
#include "stm/shared_word.h"
#include "stm/xorshift.h"

namespace tmkv::htm::emu {
namespace {

using Word = std::atomic<uint64_t>;

constexpr size_t kStripeBits = 16;
constexpr size_t kStripes = size_t{1} << kStripeBits;
constexpr unsigned kMaxSlots = 64;

// seq: even = free, odd = locked by a writer or a committing transaction.
// trackers: bit s set = the emulated transaction in slot s tracks a line
// that hashes here.
struct Stripe {
  std::atomic<uint64_t> seq{0};
  std::atomic<uint64_t> trackers{0};
};

Stripe g_stripes[kStripes];
std::array<std::atomic<bool>, kMaxSlots> g_doomed{};
std::atomic<uint64_t> g_slots{0};
EmulationConfig g_config;  // written by enable() while single-threaded

uintptr_t line_of(const void* p) { return reinterpret_cast<uintptr_t>(p) >> 6; }
size_t stripe_index(uintptr_t line) { return (line * 0x9E3779B97F4A7C15ull) >> (64 - kStripeBits); }
Stripe& stripe_of(const void* p) { return g_stripes[stripe_index(line_of(p))]; }

void lock_stripe(Stripe& s) {
  unsigned spins = 0;
  for (;;) {
    uint64_t v = s.seq.load(std::memory_order_relaxed);
    if ((v & 1) == 0 && s.seq.compare_exchange_weak(v, v + 1, std::memory_order_seq_cst)) return;
    stm::wait_step(spins);
  }
}
void unlock_stripe(Stripe& s) { s.seq.fetch_add(1, std::memory_order_seq_cst); }

// Dooms every emulated transaction tracking a line of `s`, except `self`.
void doom_trackers(Stripe& s, uint64_t self_bit) {
  uint64_t mask = s.trackers.load(std::memory_order_seq_cst) & ~self_bit;
  while (mask != 0) {
    unsigned slot = static_cast<unsigned>(__builtin_ctzll(mask));
    g_doomed[slot].store(true, std::memory_order_seq_cst);
    mask &= mask - 1;
  }
}

uint64_t seqlock_load(const Word& w) {
  Stripe& s = stripe_of(&w);
  unsigned spins = 0;
  for (;;) {
    uint64_t before = s.seq.load(std::memory_order_seq_cst);
    if ((before & 1) == 0) {
      uint64_t v = w.load(std::memory_order_seq_cst);
      if (s.seq.load(std::memory_order_seq_cst) == before) return v;
    }
    stm::wait_step(spins);
  }
}

// ---- Per-thread emulated transaction --------------------------------------

struct EmuTx {
  bool active = false;
  int slot = -1;  // claimed on first use, released at thread exit
  uint64_t rng = 0;
  uint32_t read_lines = 0;
  uint32_t write_lines = 0;
  // line -> bit 0: read, bit 1: written
  std::unordered_map<uintptr_t, uint8_t> lines;
  std::unordered_map<Word*, uint64_t> buffer;

  ~EmuTx() {
    if (slot >= 0) g_slots.fetch_and(~(uint64_t{1} << slot), std::memory_order_release);
  }
  uint64_t bit() const { return uint64_t{1} << slot; }
};

thread_local EmuTx t_tx;

void end_tx(EmuTx& tx) {
  for (const auto& [line, flags] : tx.lines) {
    (void)flags;
    g_stripes[stripe_index(line)].trackers.fetch_and(~tx.bit(), std::memory_order_seq_cst);
  }
  tx.lines.clear();
  tx.buffer.clear();
  tx.read_lines = tx.write_lines = 0;
  tx.active = false;
}

[[noreturn]] void abort_with(EmuTx& tx, uint32_t status) {
  end_tx(tx);
  throw EmulatedAbort{status};
}

void check_doomed(EmuTx& tx) {
  if (g_doomed[tx.slot].load(std::memory_order_seq_cst)) abort_with(tx, kConflict | kRetry);
}

uint64_t next_random(EmuTx& tx) { return stm::xorshift64(tx.rng); }

void maybe_spurious(EmuTx& tx) {
  uint32_t rate = g_config.spurious_aborts_per_million;
  if (rate != 0 && next_random(tx) % 1000000 < rate) {
    // Half like an interrupt (status 0), half with the retry hint.
    abort_with(tx, (next_random(tx) & 1) != 0 ? kRetry : 0);
  }
}

// Adds the line of `w` to the tracked set (capacity permitting).
void track(EmuTx& tx, const void* w, bool write) {
  const uintptr_t line = line_of(w);
  auto [it, inserted] = tx.lines.try_emplace(line, 0);
  const uint8_t flag = write ? 2 : 1;
  if ((it->second & flag) == 0) {
    uint32_t& count = write ? tx.write_lines : tx.read_lines;
    const uint32_t cap = write ? g_config.max_write_lines : g_config.max_read_lines;
    if (++count > cap) abort_with(tx, kCapacity);
    it->second |= flag;
  }
  // seq_cst: before our load of the line (Dekker with doom_trackers).
  if (inserted) g_stripes[stripe_index(line)].trackers.fetch_or(tx.bit(), std::memory_order_seq_cst);
}

uint64_t tx_load(EmuTx& tx, const Word& w) {
  check_doomed(tx);
  maybe_spurious(tx);
  auto it = tx.buffer.find(const_cast<Word*>(&w));
  if (it != tx.buffer.end()) return it->second;
  track(tx, &w, false);
  uint64_t v = seqlock_load(w);
  check_doomed(tx);  // a writer that got in first doomed us: never return its value with our older ones
  return v;
}

void tx_store(EmuTx& tx, Word& w, uint64_t v) {
  check_doomed(tx);
  maybe_spurious(tx);
  track(tx, &w, true);
  tx.buffer[&w] = v;
}

// ---- Hooks -----------------------------------------------------------------

uint64_t hook_load(const Word& w, std::memory_order) {
  EmuTx& tx = t_tx;
  if (tx.active) return tx_load(tx, w);
  return seqlock_load(w);
}

void hook_store(Word& w, uint64_t v, std::memory_order) {
  EmuTx& tx = t_tx;
  if (tx.active) return tx_store(tx, w, v);
  Stripe& s = stripe_of(&w);
  lock_stripe(s);
  w.store(v, std::memory_order_seq_cst);
  doom_trackers(s, 0);
  unlock_stripe(s);
}

bool hook_cas(Word& w, uint64_t& expected, uint64_t desired, std::memory_order) {
  EmuTx& tx = t_tx;
  if (tx.active) {
    uint64_t cur = tx_load(tx, w);
    if (cur != expected) {
      expected = cur;
      return false;
    }
    tx_store(tx, w, desired);
    return true;
  }
  Stripe& s = stripe_of(&w);
  lock_stripe(s);
  bool ok = w.compare_exchange_strong(expected, desired, std::memory_order_seq_cst);
  if (ok) doom_trackers(s, 0);
  unlock_stripe(s);
  return ok;
}

uint64_t hook_fetch_add(Word& w, uint64_t delta, std::memory_order) {
  EmuTx& tx = t_tx;
  if (tx.active) {
    uint64_t cur = tx_load(tx, w);
    tx_store(tx, w, cur + delta);
    return cur;
  }
  Stripe& s = stripe_of(&w);
  lock_stripe(s);
  uint64_t old = w.fetch_add(delta, std::memory_order_seq_cst);
  doom_trackers(s, 0);
  unlock_stripe(s);
  return old;
}

constexpr stm::SharedMemoryHooks kHooks{&hook_load, &hook_store, &hook_cas, &hook_fetch_add};

bool claim_slot(EmuTx& tx) {
  uint64_t used = g_slots.load(std::memory_order_relaxed);
  for (;;) {
    if (used == ~uint64_t{0}) return false;
    unsigned slot = static_cast<unsigned>(__builtin_ctzll(~used));
    if (g_slots.compare_exchange_weak(used, used | (uint64_t{1} << slot), std::memory_order_acquire)) {
      tx.slot = static_cast<int>(slot);
      tx.rng = (g_config.seed + 0x9E3779B97F4A7C15ull * (slot + 1)) | 1;
      return true;
    }
  }
}

}  // namespace

#if TMKV_HTM_EMULATION
void enable(const EmulationConfig& config) {
  g_config = config;
  stm::g_shared_memory_hooks.store(&kHooks, std::memory_order_seq_cst);
}

void disable() { stm::g_shared_memory_hooks.store(nullptr, std::memory_order_seq_cst); }
#else
// Built without the Shared<> hooks: nothing could route accesses here.
// configure_tm refuses emulated-htm in this build, so this is a bug if hit.
void enable(const EmulationConfig&) {
  std::fprintf(stderr, "tmkv: emulated HTM not built (TMKV_HTM_EMULATION=OFF)\n");
  std::abort();
}

void disable() {}
#endif

bool enabled() { return stm::shared_memory_hooks() == &kHooks; }

uint32_t begin() {
  EmuTx& tx = t_tx;
  assert(enabled());
  if (tx.active) return kNested;
  if (tx.slot < 0 && !claim_slot(tx)) return kCapacity;  // > 64 threads: run in software
  if (g_config.forced_fallback_percent != 0 && next_random(tx) % 100 < g_config.forced_fallback_percent) {
    return kCapacity;
  }
  g_doomed[tx.slot].store(false, std::memory_order_seq_cst);
  tx.active = true;
  return kStarted;
}

void commit() {
  EmuTx& tx = t_tx;
  assert(tx.active);
  check_doomed(tx);
  std::vector<size_t> stripes;
  stripes.reserve(tx.lines.size());
  for (const auto& [line, flags] : tx.lines) {
    (void)flags;
    stripes.push_back(stripe_index(line));
  }
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  // Address order: plain writers lock one stripe at a time, so no deadlock.
  for (size_t s : stripes) lock_stripe(g_stripes[s]);
  // Nobody can write our lines now; if nobody did before, we commit.
  if (g_doomed[tx.slot].load(std::memory_order_seq_cst)) {
    for (size_t s : stripes) unlock_stripe(g_stripes[s]);
    abort_with(tx, kConflict | kRetry);
  }
  for (const auto& [w, v] : tx.buffer) w->store(v, std::memory_order_seq_cst);
  for (const auto& [line, flags] : tx.lines) {
    if ((flags & 2) != 0) doom_trackers(g_stripes[stripe_index(line)], tx.bit());
  }
  for (size_t s : stripes) unlock_stripe(g_stripes[s]);
  end_tx(tx);
}

void abort(uint8_t code) {
  EmuTx& tx = t_tx;
  assert(tx.active);
  abort_with(tx, explicit_status(code));
}

bool in_transaction() { return t_tx.active; }

void discard() {
  EmuTx& tx = t_tx;
  if (tx.active) end_tx(tx);
}

}  // namespace tmkv::htm::emu
