#include "server/info_counters.h"

#include "server/server.h"

namespace tmkv::server {
namespace {

uint64_t minus(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

template <size_t N>
stm::HistogramCounts<N> minus(const stm::HistogramCounts<N>& a, const stm::HistogramCounts<N>& b) {
  stm::HistogramCounts<N> out;
  for (size_t i = 0; i < out.buckets.size(); ++i) out.buckets[i] = minus(a.buckets[i], b.buckets[i]);
  out.sum = minus(a.sum, b.sum);
  return out;
}

template <class T, size_t N>
std::array<T, N> minus(const std::array<T, N>& a, const std::array<T, N>& b) {
  std::array<T, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = minus(a[i], b[i]);
  return out;
}

}  // namespace

InfoCounters read_info_counters(const Server& s) {
  InfoCounters c;
  c.totals = s.totals();
  c.rejected_connections = s.rejected_connections();
  for (unsigned i = 0; i < s.database_count(); ++i) c.expired_keys += s.db(i).expired_count();
  c.evicted_keys = s.evictor().evicted_keys();
  c.commands = s.command_totals();
  c.errors = s.error_totals();
  c.tx = stm::collect_tx_stats();
  return c;
}

InfoCounters counters_since(const InfoCounters& now, const InfoCounters& base) {
  InfoCounters d;
  const StatsSnapshot& a = now.totals;
  const StatsSnapshot& b = base.totals;
  d.totals = StatsSnapshot{minus(a.commands, b.commands),       minus(a.connections, b.connections),
                           minus(a.net_in, b.net_in),           minus(a.net_out, b.net_out),
                           minus(a.exec_ok, b.exec_ok),         minus(a.exec_watch_failed, b.exec_watch_failed),
                           minus(a.exec_aborted, b.exec_aborted), minus(a.watch_intact, b.watch_intact)};
  d.rejected_connections = minus(now.rejected_connections, base.rejected_connections);
  d.expired_keys = minus(now.expired_keys, base.expired_keys);
  d.evicted_keys = minus(now.evicted_keys, base.evicted_keys);
  d.commands = now.commands;
  for (size_t i = 0; i < d.commands.size() && i < base.commands.size(); ++i) {
    CommandTotals& t = d.commands[i];
    const CommandTotals& o = base.commands[i];
    t.calls = minus(t.calls, o.calls);
    t.failed = minus(t.failed, o.failed);
    t.rejected = minus(t.rejected, o.rejected);
    t.latency = minus(t.latency, o.latency);
  }
  d.errors = minus(now.errors, base.errors);
  const stm::TxStatsSnapshot& x = now.tx;
  const stm::TxStatsSnapshot& y = base.tx;
  d.tx.commits = minus(x.commits, y.commits);
  d.tx.aborts = minus(x.aborts, y.aborts);
  d.tx.escalations = minus(x.escalations, y.escalations);
  d.tx.extension = minus(x.extension, y.extension);
  d.tx.tallies = minus(x.tallies, y.tallies);
  d.tx.attempts = minus(x.attempts, y.attempts);
  d.tx.width = minus(x.width, y.width);
  for (size_t i = 0; i < d.tx.latency.size(); ++i) d.tx.latency[i] = minus(x.latency[i], y.latency[i]);
  return d;
}

}  // namespace tmkv::server
