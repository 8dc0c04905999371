#include "stm/tx_stats.h"

#include "stm/thread_context.h"

namespace tmkv::stm {

// On by default, as Redis's latency-tracking.
std::atomic<bool> detail::g_latency_tracking{true};
std::atomic<uint32_t> detail::g_tx_latency_sample_rate{kDefaultTxLatencySampleRate};

TxStatsSnapshot collect_tx_stats() {
  TxStatsSnapshot s;
  for (ThreadContext* c = first_thread_context(); c != nullptr; c = c->next) s.add(c->stats);
  return s;
}

}  // namespace tmkv::stm
