// Tunables of the retry loop. The defaults are what bankbench measured best
// on the 2-core dev machine (docs/BENCHMARKS.md); tests tighten them to force
// escalation. Fields are atomics because tests and the server may change
// them while worker threads run; relaxed is enough: each is an independent
// knob and no other data is published through them.
#pragma once

#include <atomic>
#include <cstdint>

namespace tmkv::stm {

struct RetryPolicy {
  // After this many aborts of one transaction, its next attempt runs
  // irrevocably (serial_gate.h) and is guaranteed to commit. This is the
  // bound on retries: no transaction starves.
  std::atomic<uint32_t> max_aborts_before_irrevocable{8};
  // Randomized exponential backoff after the n-th abort: a uniform random
  // wait in [0, min(backoff_base << n, backoff_cap)) pause instructions.
  std::atomic<uint32_t> backoff_base{32};
  std::atomic<uint32_t> backoff_cap{32768};
  // A committer spins this many times on a busy write lock before aborting.
  std::atomic<uint32_t> lock_spin{128};
  // TL2's shortcut: skip read-set validation when wv == rv + 1. Only sound
  // while every writer advances the clock; htm/ turns it off.
  std::atomic<bool> commit_shortcut{true};
  // Set by htm/ while hardware transactions may commit: they stamp GV + 1
  // without advancing GV, so software readers that meet a newer version move
  // the clock up and extend instead of aborting (Tx::extend_for).
  std::atomic<bool> hardware_stamps{false};
  // TL2's GV5 clock for software commits too: a committer stamps GV + 1
  // without incrementing GV, so commits write no shared line; readers that
  // meet a newer version move the clock up (as for hardware stamps). The
  // commit shortcut does not apply. false: classic TL2 (fetch_add per
  // commit). The default is what bankbench measured faster
  // (docs/BENCHMARKS.md).
  std::atomic<bool> stamp_clock{true};
};

extern RetryPolicy g_retry_policy;
inline RetryPolicy& retry_policy() { return g_retry_policy; }

}  // namespace tmkv::stm
