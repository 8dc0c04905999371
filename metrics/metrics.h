// tmkv's Prometheus endpoint: the one entry header of metrics/.
//
// MetricsEndpoint serves /metrics with prometheus-cpp's pull exposer (its own
// civetweb threads, never the server's I/O threads). Nothing is registered
// per operation: one Collectable builds every family at scrape time from
// the per-thread counters that stm/, htm/, store/ and server/ keep, so the
// hot path writes no shared word for metrics (docs/ARCHITECTURE.md,
// "Telemetry"). Nothing depends on this library for correctness.
#pragma once

#include <memory>
#include <string>

namespace prometheus {
class Exposer;
}

namespace tmkv::server {
class Server;
}

namespace tmkv::metrics {

class MetricsEndpoint {
 public:
  MetricsEndpoint();
  ~MetricsEndpoint();
  // Listens on bind:port (port 0 picks a free one) and serves `srv`'s
  // metrics until destroyed. False with *error if it cannot listen.
  bool start(const std::string& bind, uint16_t port, const server::Server& srv, std::string* error);
  uint16_t port() const { return port_; }

 private:
  std::shared_ptr<class TmkvCollectable> collectable_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  uint16_t port_ = 0;
};

}  // namespace tmkv::metrics
