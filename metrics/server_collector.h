// The server's own numbers as metric families: commands, clients, network,
// EXEC/WATCH outcomes and the keyspace. Reads the per-worker counters the
// server keeps (server.h, command_stats.h) and the stores' counters; the
// same sources INFO reads, so both always agree.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "server/server.h"
#include "stm/tx_stats.h"

namespace tmkv::metrics {

// `tx` is the scrape's snapshot of the transaction counters (keyspace hits
// and misses are tallies kept there).
void append_server_families(const server::Server& srv, const stm::TxStatsSnapshot& tx,
                            std::vector<prometheus::MetricFamily>& out);

}  // namespace tmkv::metrics
