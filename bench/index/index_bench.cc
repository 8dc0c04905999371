// tmkv's concurrent index against oneTBB's concurrent_hash_map, the baseline
// it must beat (docs/BENCHMARKS.md). Both map 16-byte keys to a pointer-sized
// payload; lookups of present keys and inserts of new keys, 1 and 2 threads.
//
//   build/bin/tmkv-index-bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <tbb/concurrent_hash_map.h>

#include "stm/epoch.h"
#include "stm/xorshift.h"
#include "store/hash.h"
#include "store/index.h"

namespace {

constexpr size_t kKeys = 1 << 20;

const std::vector<std::string>& keys() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v;
    v.reserve(kKeys);
    char buf[17];
    for (size_t i = 0; i < kKeys; ++i) {
      std::snprintf(buf, sizeof buf, "key:%012zu", i);
      v.emplace_back(buf, 16);
    }
    return v;
  }();
  return k;
}

// ---- tmkv::store::Index ----------------------------------------------------

tmkv::store::Index* g_index = nullptr;

void BM_IndexFind(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_index = new tmkv::store::Index;
    auto& ctx = tmkv::stm::this_thread_context();
    tmkv::stm::epoch_pin(ctx);
    bool created;
    for (const auto& k : keys()) g_index->find_or_insert(k, tmkv::store::hash_key(k), &created);
    tmkv::stm::epoch_unpin(ctx);
  }
  auto& ctx = tmkv::stm::this_thread_context();
  uint64_t x = 0x9E3779B97F4A7C15ull + state.thread_index();
  size_t found = 0;
  for (auto _ : state) {
    const std::string& k = keys()[tmkv::stm::xorshift64(x) % kKeys];
    tmkv::stm::epoch_pin(ctx);  // what a transaction does once per attempt
    found += g_index->find(k, tmkv::store::hash_key(k)) != nullptr;
    tmkv::stm::epoch_unpin(ctx);
  }
  if (found != static_cast<size_t>(state.iterations())) state.SkipWithError("missing key");
  if (state.thread_index() == 0) {
    delete g_index;
    g_index = nullptr;
  }
}
BENCHMARK(BM_IndexFind)->Threads(1)->Threads(2)->UseRealTime();

void BM_IndexInsert(benchmark::State& state) {
  auto& ctx = tmkv::stm::this_thread_context();
  for (auto _ : state) {
    state.PauseTiming();
    auto index = std::make_unique<tmkv::store::Index>();
    state.ResumeTiming();
    tmkv::stm::epoch_pin(ctx);
    bool created;
    for (const auto& k : keys()) index->find_or_insert(k, tmkv::store::hash_key(k), &created);
    tmkv::stm::epoch_unpin(ctx);
    state.PauseTiming();
    index.reset();
    tmkv::stm::epoch_reclaim(ctx);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
}
BENCHMARK(BM_IndexInsert)->Unit(benchmark::kMillisecond);

// ---- tbb::concurrent_hash_map ------------------------------------------------

struct TbbHash {
  static size_t hash(const std::string& k) { return tmkv::store::hash_key(k); }
  static bool equal(const std::string& a, const std::string& b) { return a == b; }
};
using TbbMap = tbb::concurrent_hash_map<std::string, void*, TbbHash>;
TbbMap* g_tbb = nullptr;

void BM_TbbFind(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_tbb = new TbbMap;
    for (const auto& k : keys()) g_tbb->insert({k, nullptr});
  }
  uint64_t x = 0x9E3779B97F4A7C15ull + state.thread_index();
  size_t found = 0;
  for (auto _ : state) {
    TbbMap::const_accessor acc;
    found += g_tbb->find(acc, keys()[tmkv::stm::xorshift64(x) % kKeys]);
  }
  if (found != static_cast<size_t>(state.iterations())) state.SkipWithError("missing key");
  if (state.thread_index() == 0) {
    delete g_tbb;
    g_tbb = nullptr;
  }
}
BENCHMARK(BM_TbbFind)->Threads(1)->Threads(2)->UseRealTime();

void BM_TbbInsert(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto map = std::make_unique<TbbMap>();
    state.ResumeTiming();
    for (const auto& k : keys()) map->insert({k, nullptr});
    state.PauseTiming();
    map.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
}
BENCHMARK(BM_TbbInsert)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
