#include "stm/tick_clock.h"

#include <chrono>
#include <fstream>
#include <string>

namespace tmkv::stm {
namespace detail {

uint64_t steady_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

namespace {
// The TSC is a usable clock only if it ticks at a constant rate in every
// power state (constant_tsc + nonstop_tsc in /proc/cpuinfo). Whether it is
// also synchronized across cores we cannot see here; Linux stops using an
// unsynchronized TSC as its clocksource, so we also require the current
// clocksource to be tsc, or kvm-clock (derived from the host's stable TSC).
bool tsc_usable() {
#if defined(__x86_64__)
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  bool constant = false, nonstop = false;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    constant = line.find(" constant_tsc") != std::string::npos;
    nonstop = line.find(" nonstop_tsc") != std::string::npos;
    break;
  }
  std::ifstream cs("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string source;
  cs >> source;
  return constant && nonstop && (source == "tsc" || source == "kvm-clock");
#else
  return false;
#endif
}
}  // namespace

// Dynamic initialization before main: single-threaded, and never written
// again, so plain reads from any thread afterwards are race-free.
bool g_ticks_are_tsc = tsc_usable();

}  // namespace detail

double ns_per_tick() {
  // A function-local static: initialized once, thread-safe (C++11 magic
  // statics), then a plain load.
  static const double rate = [] {
#if defined(__aarch64__)
    uint64_t freq;
    asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    return 1e9 / static_cast<double>(freq);
#else
    if (!detail::g_ticks_are_tsc) return 1.0;
    // 5 ms against steady_clock: 0.02% error at the microsecond scale is
    // far below the histograms' bucket widths.
    const uint64_t n0 = detail::steady_ns();
    const uint64_t t0 = ticks();
    uint64_t n1;
    do {
      n1 = detail::steady_ns();
    } while (n1 - n0 < 5'000'000);
    const uint64_t t1 = ticks();
    return static_cast<double>(n1 - n0) / static_cast<double>(t1 - t0);
#endif
  }();
  return rate;
}

// Calibrate while the process starts (5 ms, once), not inside the first
// timed transaction.
namespace {
[[maybe_unused]] const double g_calibrated_at_start = ns_per_tick();
}

}  // namespace tmkv::stm
