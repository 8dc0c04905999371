// tmkv-server: parses the configuration, picks the transactional path,
// starts the I/O threads and waits for SHUTDOWN, SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "htm/tm_mode.h"
#include "metrics/metrics.h"
#include "server/config.h"
#include "server/server.h"

int main(int argc, char** argv) {
  using namespace tmkv;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string error;
  bool help = false;
  auto cfg = server::parse_command_line(args, &error, &help);
  if (help) {
    std::fputs(server::usage_text().c_str(), stdout);
    return 0;
  }
  if (!cfg) {
    std::fprintf(stderr, "tmkv-server: %s\n\n%s", error.c_str(), server::usage_text().c_str());
    return 2;
  }
  auto mode = htm::parse_tm_mode(cfg->tm_mode);
  if (!mode || !htm::configure_tm(*mode, htm::EmulationConfig{}, &error)) {
    std::fprintf(stderr, "tmkv-server: cannot use tm-mode '%s': %s\n", cfg->tm_mode.c_str(),
                 mode ? error.c_str() : "unknown mode");
    return 2;
  }
  const htm::TmInfo tm = htm::tm_info();
  std::fprintf(stderr, "tmkv-server: transactions run on %s (tm-mode %s; htm %s: %s)\n",
               std::string(htm::tm_path_name(tm.path)).c_str(), std::string(htm::tm_mode_name(tm.mode)).c_str(),
               tm.htm_supported ? "supported" : "unavailable", tm.reason.c_str());
  // A client that disconnects mid-write must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  // SIGINT/SIGTERM are handled by the server's asio::signal_set.
  server::Server srv(*cfg);
  // The metrics endpoint lives as long as the server; a port that cannot be
  // bound is a startup error, like the RESP port (an operator asked for it).
  // It starts (and registers /metrics) before the RESP port listens: a
  // client or test that waits for the RESP port may scrape at once, and
  // must not meet a refused connection or a 404 (a TSan run did). Until
  // the workers start, a scrape reads zeros.
  // The snapshot file, if there is one, before any client can connect
  // (persistence.h); a file that cannot be read whole stops the start.
  if (!srv.persistence().load(&error)) {
    std::fprintf(stderr, "tmkv-server: %s\n", error.c_str());
    return 1;
  }
  metrics::MetricsEndpoint endpoint;
  if (cfg->metrics_port != 0) {
    if (!endpoint.start(cfg->metrics_bind, cfg->metrics_port, srv, &error)) {
      std::fprintf(stderr, "tmkv-server: %s\n", error.c_str());
      return 1;
    }
    std::fprintf(stderr, "tmkv-server: metrics at http://%s:%u/metrics\n", cfg->metrics_bind.c_str(),
                 endpoint.port());
  } else {
    std::fprintf(stderr, "tmkv-server: metrics endpoint off (--metrics-port 0)\n");
  }
  if (!srv.start(&error)) {
    std::fprintf(stderr, "tmkv-server: %s\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr, "tmkv-server: %u I/O threads, %u databases; ready to accept connections on %s:%u\n",
               srv.io_threads(), srv.database_count(), cfg->bind.c_str(), srv.bound_port());
  srv.wait();
  // Every worker has stopped: nothing writes after this snapshot.
  if (!srv.persistence().final_save(&error)) {
    std::fprintf(stderr, "tmkv-server: the final save failed (%s); exiting without it\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr, "tmkv-server: bye\n");
  return 0;
}
