// A cheap monotonic tick counter for latency telemetry.
//
// Every command, and one transaction in tx_sample_rate() (tx_stats.h), is
// timed while latency tracking is on, so the clock must cost far less than
// what it times: std::chrono::steady_clock is a vDSO call (about
// 48 ns on our 2-vCPU EPYC VMs), the invariant TSC about 20 ns there, and
// the Arm generic timer a few ns. Ticks convert to nanoseconds with a rate
// calibrated once against steady_clock (x86) or read from CNTFRQ (Arm).
// Ticks from different cores are comparable: Linux uses the TSC as a clock
// only where it is invariant and synchronized, and we fall back to
// steady_clock elsewhere (tick_clock.cc decides once).
#pragma once

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace tmkv::stm {

namespace detail {
// Chosen once before main (tick_clock.cc); read-only afterwards.
extern bool g_ticks_are_tsc;
uint64_t steady_ns();
}  // namespace detail

inline uint64_t ticks() {
#if defined(__x86_64__)
  if (detail::g_ticks_are_tsc) [[likely]] return __rdtsc();
  return detail::steady_ns();
#elif defined(__aarch64__)
  uint64_t v;
  asm volatile("mrs %0, cntvct_el0" : "=r"(v));
  return v;
#else
  return detail::steady_ns();
#endif
}

// Nanoseconds per tick (calibrated on first use; thread-safe).
double ns_per_tick();

inline uint64_t ticks_to_ns(uint64_t t) { return static_cast<uint64_t>(static_cast<double>(t) * ns_per_tick()); }

}  // namespace tmkv::stm
