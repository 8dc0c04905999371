// The server's own numbers as metric families: commands, clients, network,
// EXEC/WATCH outcomes and the keyspace. Reads the per-worker counters the
// server keeps (server.h, command_stats.h) and the stores' counters; the
// same sources INFO reads, so both always agree.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "server/server.h"

namespace tmkv::metrics {

void append_server_families(const server::Server& srv, std::vector<prometheus::MetricFamily>& out);

}  // namespace tmkv::metrics
