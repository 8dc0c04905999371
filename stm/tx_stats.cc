#include "stm/tx_stats.h"

#include "stm/thread_context.h"

namespace tmkv::stm {

detail::TelemetrySettings detail::g_telemetry;

TxStatsSnapshot collect_tx_stats() {
  TxStatsSnapshot s;
  for (ThreadContext* c = first_thread_context(); c != nullptr; c = c->next) s.add(c->stats);
  return s;
}

}  // namespace tmkv::stm
