#include "metrics/collectable.h"

#include "metrics/process_collector.h"
#include "metrics/server_collector.h"
#include "metrics/tx_collector.h"

namespace tmkv::metrics {

std::vector<prometheus::MetricFamily> TmkvCollectable::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  const stm::TxStatsSnapshot tx = stm::collect_tx_stats();  // once per scrape
  append_tx_families(tx, out);
  append_info_families(out);
  if (srv_ != nullptr) append_server_families(*srv_, tx, out);
  append_allocator_families(out);
  append_process_families(out);
  return out;
}

}  // namespace tmkv::metrics
