// What the server's memory is made of, in the terms of Redis's INFO memory
// and clients sections and MEMORY STATS, and MEMORY DOCTOR's reading of it.
//
// Every figure is a statistic gathered without stopping anything: the
// allocator's counters, each database's index size, and what each client's
// thread last mirrored about its buffers (client.h, ShownBuffers). They
// may disagree by what changed while they were read.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/allocator_stats.h"

namespace tmkv::server {

class Server;

struct ClientsSummary {
  size_t connected = 0;
  size_t pubsub = 0;             // clients with a subscription (pubsub_clients)
  size_t watching = 0;           // clients watching a key (watching_clients)
  size_t max_input_buffer = 0;   // the largest input buffer (client_recent_max_input_buffer)
  size_t max_output_buffer = 0;  // the largest reply memory (client_recent_max_output_buffer)
  size_t memory = 0;             // every client's tot-mem (mem_clients_normal)
};
ClientsSummary summarize_clients(const Server& server);

struct MemoryReport {
  store::AllocatorStats allocator;
  uint64_t used = 0;     // used_memory (refreshed for the report)
  uint64_t peak = 0;     // used_memory_peak
  uint64_t startup = 0;  // used_memory_startup
  uint64_t rss = 0;      // used_memory_rss
  uint64_t system = 0;   // total_system_memory
  ClientsSummary clients;  // clients.memory: mem_clients_normal
  // Databases holding keys: (index, its index's own bytes).
  std::vector<std::pair<unsigned, uint64_t>> db_overhead;
  uint64_t indexes = 0;   // every database's index, emptied ones included
  uint64_t overhead = 0;  // startup + clients + indexes
  uint64_t dataset = 0;   // used - overhead: keys and values
  uint64_t keys = 0;

  double dataset_percent() const;  // of what is above startup, as Redis
  double peak_percent() const;     // used / peak
  double fragmentation() const;    // rss / used
};
MemoryReport memory_report(Server& server);

// A few sentences on what looks wrong (peak far above now, fragmentation,
// big client buffers, an index much larger than its keys, nearly at
// maxmemory), or that nothing does.
std::string memory_doctor(const MemoryReport& m, uint64_t maxmemory);

// "1.50M": Redis's *_human format.
std::string human_bytes(uint64_t n);

}  // namespace tmkv::server
