#include "metrics/process_collector.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "metrics/families.h"
#include "store/allocator_stats.h"

namespace tmkv::metrics {

namespace {

struct ProcStat {
  bool ok = false;
  double utime_ticks = 0, stime_ticks = 0, start_ticks = 0, vsize = 0, rss_pages = 0, threads = 0;
};

// /proc/self/stat: the command name may hold spaces and parentheses, so
// fields are counted from the last ')'.
ProcStat read_proc_stat() {
  ProcStat p;
  std::ifstream f("/proc/self/stat");
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t close = all.rfind(')');
  if (close == std::string::npos) return p;
  std::istringstream in(all.substr(close + 2));
  std::string field;
  // Field 3 (state) is the first after ')'; see proc(5) for the numbering.
  for (int i = 3; in >> field; ++i) {
    if (i == 14) p.utime_ticks = std::stod(field);
    if (i == 15) p.stime_ticks = std::stod(field);
    if (i == 20) p.threads = std::stod(field);
    if (i == 22) p.start_ticks = std::stod(field);
    if (i == 23) p.vsize = std::stod(field);
    if (i == 24) {
      p.rss_pages = std::stod(field);
      p.ok = true;
      break;
    }
  }
  return p;
}

double boot_time_seconds() {
  std::ifstream f("/proc/stat");
  std::string key;
  double value;
  while (f >> key) {
    if (key == "btime" && (f >> value)) return value;
  }
  return 0;
}

double open_fds() {
  std::error_code ec;
  double n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

}  // namespace

void append_process_families(std::vector<prometheus::MetricFamily>& out) {
  const ProcStat p = read_proc_stat();
  if (p.ok) {
    const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    out.push_back(single_counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                                 (p.utime_ticks + p.stime_ticks) / hz));
    out.push_back(single_gauge("process_resident_memory_bytes", "Resident memory size in bytes.", p.rss_pages * page));
    out.push_back(single_gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", p.vsize));
    out.push_back(single_gauge("process_start_time_seconds", "Start time of the process since the Unix epoch.",
                               boot_time_seconds() + p.start_ticks / hz));
    out.push_back(single_gauge("process_threads", "Number of OS threads in the process.", p.threads));
  }
  out.push_back(single_gauge("process_open_fds", "Number of open file descriptors.", open_fds()));
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    out.push_back(single_gauge("process_max_fds", "Maximum number of open file descriptors.",
                               static_cast<double>(lim.rlim_cur)));
  }
}

void append_allocator_families(std::vector<prometheus::MetricFamily>& out) {
  const store::AllocatorStats a = store::read_allocator_stats();
  if (!a.available) return;
  out.push_back(single_gauge("tmkv_memory_allocated_bytes", "Bytes in live allocations (jemalloc stats.allocated).",
                             static_cast<double>(a.allocated)));
  out.push_back(single_gauge("tmkv_memory_active_bytes", "Bytes in active pages (jemalloc stats.active).",
                             static_cast<double>(a.active)));
  out.push_back(single_gauge("tmkv_memory_resident_bytes", "Bytes resident in memory (jemalloc stats.resident).",
                             static_cast<double>(a.resident)));
}

}  // namespace tmkv::metrics
