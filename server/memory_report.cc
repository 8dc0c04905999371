#include "server/memory_report.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "server/client.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

double ratio(uint64_t a, uint64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b); }

uint64_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

}  // namespace

std::string human_bytes(uint64_t n) {
  char buf[32];
  const double d = static_cast<double>(n);
  if (n < 1024) {
    std::snprintf(buf, sizeof buf, "%lluB", static_cast<unsigned long long>(n));
  } else if (n < (1ull << 20)) {
    std::snprintf(buf, sizeof buf, "%.2fK", d / 1024);
  } else if (n < (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.2fM", d / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.2fG", d / (1 << 30));
  }
  return buf;
}

ClientsSummary summarize_clients(const Server& server) {
  ClientsSummary s;
  server.for_each_client([&](const Client& c) {
    const ShownBuffers& b = c.shown_buffers;
    ++s.connected;
    size_t subscriptions = 0;
    for (const auto& n : c.shown_pubsub) subscriptions += n.load(std::memory_order_relaxed);
    if (subscriptions != 0) ++s.pubsub;
    if (c.shown_watched.load(std::memory_order_relaxed) != 0) ++s.watching;
    s.max_input_buffer = std::max(
        s.max_input_buffer, b.query.load(std::memory_order_relaxed) + b.query_free.load(std::memory_order_relaxed));
    s.max_output_buffer = std::max(
        s.max_output_buffer, b.reply_size.load(std::memory_order_relaxed) + b.writing.load(std::memory_order_relaxed));
    s.memory += b.total.load(std::memory_order_relaxed);
  });
  return s;
}

double MemoryReport::dataset_percent() const {
  // Redis's used_memory_dataset_perc: the dataset's share of what the
  // server took beyond its start-up memory.
  return used > startup ? 100.0 * ratio(dataset, used - startup) : 0.0;
}

double MemoryReport::peak_percent() const { return 100.0 * ratio(used, peak); }

double MemoryReport::fragmentation() const { return ratio(rss, used); }

MemoryReport memory_report(Server& server) {
  MemoryReport m;
  m.used = server.refresh_used_memory();
  m.allocator = store::read_allocator_stats();
  m.peak = std::max(server.used_memory_peak(), m.used);
  m.startup = server.used_memory_startup();
  m.rss = store::process_resident_bytes();
  m.system = physical_memory();
  m.clients = summarize_clients(server);
  uint64_t indexes = 0;
  for (unsigned db = 0; db < server.database_count(); ++db) {
    const store::Store& s = server.db(db);
    const size_t keys = s.size();
    const uint64_t bytes = s.index_overhead_bytes();
    // An emptied database's index keeps its bucket arrays (they never
    // shrink): overhead too, though Redis lists only databases with keys.
    indexes += bytes;
    if (keys == 0) continue;
    m.keys += keys;
    m.db_overhead.emplace_back(db, bytes);
  }
  m.indexes = indexes;
  m.overhead = m.startup + m.clients.memory + indexes;
  m.dataset = m.used > m.overhead ? m.used - m.overhead : 0;
  return m;
}

std::string memory_doctor(const MemoryReport& m, uint64_t maxmemory) {
  const ClientsSummary& clients = m.clients;
  std::ostringstream o;
  constexpr uint64_t kLittle = 5ull << 20;
  if (m.used < kLittle) {
    o << "Used memory is " << human_bytes(m.used) << ", too little to judge; there is nothing to report yet.";
    return o.str();
  }
  int found = 0;
  auto issue = [&](const std::string& text) { o << "* " << text << "\n\n"; ++found; };
  if (m.peak > m.used + m.used / 2) {
    issue("Peak: used memory once reached " + human_bytes(m.peak) + ", " + std::to_string(m.peak / std::max<uint64_t>(m.used, 1)) +
          "x or more what is used now (" + human_bytes(m.used) +
          "). The allocator reuses what was freed, but the process's resident size may stay near the peak; "
          "MEMORY PURGE hands unused pages back.");
  }
  if (m.allocator.available && m.allocator.active > m.allocator.allocated + m.allocator.allocated / 10 &&
      m.allocator.active - m.allocator.allocated > (10ull << 20)) {
    issue("Allocator fragmentation: jemalloc's active pages hold " + human_bytes(m.allocator.active) + " for " +
          human_bytes(m.allocator.allocated) +
          " of allocations. Deleting many keys after loading them leaves pages partly used; "
          "they fill again as new keys arrive.");
  }
  if (m.fragmentation() > 1.4 && m.rss > m.used + (10ull << 20)) {
    char ratio_text[32];
    std::snprintf(ratio_text, sizeof ratio_text, "%.2f", m.fragmentation());
    issue(std::string("Resident memory is ") + human_bytes(m.rss) + ", " + ratio_text + " times used memory. " +
          "Freed memory not yet handed back to the system shows here; MEMORY PURGE hands back what the allocator "
          "keeps unused.");
  }
  if (clients.connected != 0 && clients.memory / clients.connected > (200u << 10)) {
    issue("Client buffers: " + std::to_string(clients.connected) + " clients hold " + human_bytes(clients.memory) +
          " (the largest input buffer " + human_bytes(clients.max_input_buffer) + ", the largest reply buffer " +
          human_bytes(clients.max_output_buffer) +
          "). Big pipelines or values grow them; they shrink once drained, and an idle client's go after two "
          "seconds. CLIENT LIST shows each client's (qbuf, rbs, omem, tot-mem).");
  }
  if (m.indexes > m.dataset && m.indexes > kLittle) {
    issue("Key indexes: they take " + human_bytes(m.indexes) + ", more than the keys and values (" +
          human_bytes(m.dataset) + "). Either most keys are very small, or the indexes grew for keys deleted "
          "since: an index's bucket arrays never shrink.");
  }
  if (maxmemory != 0 && m.used > maxmemory / 10 * 9) {
    issue("Near the limit: used memory is " + human_bytes(m.used) + " of maxmemory " + human_bytes(maxmemory) +
          ". Under maxmemory-policy noeviction, writes are refused at the limit; under the others, keys are "
          "evicted.");
  }
  if (found == 0) return "No memory problems found.";
  std::string text = o.str();
  text.resize(text.size() - 2);
  return text;
}

}  // namespace tmkv::server
