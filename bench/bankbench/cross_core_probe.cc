#include "bench/bankbench/cross_core_probe.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace tmkv::bankbench {
namespace {

// The first two CPUs this process may run on, if there are two.
std::optional<std::pair<int, int>> TwoAllowedCpus() {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return std::nullopt;
  int found[2];
  int n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE && n < 2; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) found[n++] = cpu;
  }
  if (n < 2) return std::nullopt;
  return std::make_pair(found[0], found[1]);
}

bool PinTo(int cpu) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
}

}  // namespace

std::optional<double> MeasureCrossCoreRoundTripNs() {
  const auto cpus = TwoAllowedCpus();
  if (!cpus) return std::nullopt;
  constexpr int kBatches = 5;
  constexpr uint64_t kTripsPerBatch = 20000;
  // The one line the two threads pass back and forth: the pinger writes odd
  // values, the ponger answers with the next even one. Acquire/release make
  // each handoff a real transfer of the line's ownership; nothing else is
  // published through it. Both threads pin themselves first and play only
  // if both could: two spinning threads on one CPU would take minutes.
  alignas(64) std::atomic<uint64_t> ball{0};
  constexpr uint64_t kQuit = ~uint64_t{0};
  // Ponger's pin: 0 not yet known, 1 pinned, 2 failed (acquire/release: the
  // pinger starts only after the ponger has settled).
  std::atomic<int> ponger_pin{0};
  std::thread ponger([&] {
    if (!PinTo(cpus->second)) {
      ponger_pin.store(2, std::memory_order_release);
      return;
    }
    ponger_pin.store(1, std::memory_order_release);
    for (uint64_t i = 0; i < kBatches * kTripsPerBatch; ++i) {
      uint64_t seen;
      while ((seen = ball.load(std::memory_order_acquire)) != 2 * i + 1) {
        if (seen == kQuit) return;
      }
      ball.store(2 * i + 2, std::memory_order_release);
    }
  });
  // The driver thread is pinned only for the probe; its mask is put back.
  cpu_set_t before;
  const bool had_mask = pthread_getaffinity_np(pthread_self(), sizeof before, &before) == 0;
  int state;
  while ((state = ponger_pin.load(std::memory_order_acquire)) == 0) std::this_thread::yield();
  const bool pinned = state == 1 && had_mask && PinTo(cpus->first);
  std::vector<double> batches;
  // A CPU shared with another busy process (ctest running tests in
  // parallel) turns each round trip into a wait for a time slice; the probe
  // then gives up rather than take minutes, and reports nothing.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  bool finished = false;
  if (pinned) {
    uint64_t i = 0;
    for (int b = 0; b < kBatches; ++b) {
      const auto start = std::chrono::steady_clock::now();
      for (uint64_t k = 0; k < kTripsPerBatch; ++k, ++i) {
        if (k % 1024 == 0 && std::chrono::steady_clock::now() > deadline) break;
        ball.store(2 * i + 1, std::memory_order_release);
        while (ball.load(std::memory_order_acquire) != 2 * i + 2) {
        }
      }
      if (i != (b + 1) * kTripsPerBatch) break;
      const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
      batches.push_back(took.count() / kTripsPerBatch);
    }
    finished = batches.size() == kBatches;
  }
  if (!finished) ball.store(kQuit, std::memory_order_release);
  ponger.join();
  if (had_mask) pthread_setaffinity_np(pthread_self(), sizeof before, &before);
  if (!finished) return std::nullopt;
  std::sort(batches.begin(), batches.end());
  return batches[batches.size() / 2];
}

void PrintCrossCoreProbe(std::FILE* out, std::optional<double> before, std::optional<double> after) {
  auto show = [](std::optional<double> ns) { return ns ? std::to_string(static_cast<long long>(*ns + 0.5)) : std::string("n/a"); };
  std::fprintf(out, "cross_core_rtt_ns: before %s after %s\n", show(before).c_str(), show(after).c_str());
}

}  // namespace tmkv::bankbench
