// Transaction telemetry as metric families: commits by path, aborts by path
// and cause, fallbacks, attempts / width / latency histograms, and the
// tm_info and build_info metadata. Reads the per-thread counters that stm/
// and htm/ keep (stm::collect_tx_stats); depends on nothing in the server,
// so engine-only programs and the unit tests can export them too.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "stm/tx_stats.h"

namespace tmkv::metrics {

// From a snapshot (tests pass a difference of two snapshots).
void append_tx_families(const stm::TxStatsSnapshot& s, std::vector<prometheus::MetricFamily>& out);
// tmkv_tm_info and tmkv_build_info.
void append_info_families(std::vector<prometheus::MetricFamily>& out);

}  // namespace tmkv::metrics
