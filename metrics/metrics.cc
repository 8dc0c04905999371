#include "metrics/metrics.h"

#include <prometheus/exposer.h>

#include <exception>

#include "metrics/collectable.h"

namespace tmkv::metrics {

MetricsEndpoint::MetricsEndpoint() = default;
MetricsEndpoint::~MetricsEndpoint() = default;

bool MetricsEndpoint::start(const std::string& bind, uint16_t port, const server::Server& srv, std::string* error) {
  // civetweb's listening syntax: "addr:port", IPv6 addresses in brackets.
  const std::string host = bind.find(':') != std::string::npos ? "[" + bind + "]" : bind;
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(host + ":" + std::to_string(port), 1);
  } catch (const std::exception& e) {
    *error = "cannot serve metrics on " + bind + ":" + std::to_string(port) + ": " + e.what();
    return false;
  }
  const auto ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? port : static_cast<uint16_t>(ports.front());
  collectable_ = std::make_shared<TmkvCollectable>(&srv);
  exposer_->RegisterCollectable(collectable_);
  return true;
}

}  // namespace tmkv::metrics
