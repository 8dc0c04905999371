// The Collectable that builds every tmkv metric family at scrape time.
#pragma once

#include <prometheus/collectable.h>

#include <vector>

namespace tmkv::server {
class Server;
}

namespace tmkv::metrics {

class TmkvCollectable : public prometheus::Collectable {
 public:
  // `srv` may be null: then only engine, process and allocator metrics
  // (programs without a server, and the unit tests).
  explicit TmkvCollectable(const server::Server* srv) : srv_(srv) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const server::Server* srv_;
};

}  // namespace tmkv::metrics
