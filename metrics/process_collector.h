// Process and allocator metrics: the standard process_* families (as the
// official Prometheus clients name them; prometheus-cpp has no collector
// for them) read from /proc/self, and jemalloc's statistics through
// mallctl (store/allocator_stats.h). Sanitizer builds run without jemalloc
// and export no tmkv_memory_{allocated,active,resident}_bytes rather than
// invented numbers.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

namespace tmkv::metrics {

void append_process_families(std::vector<prometheus::MetricFamily>& out);
void append_allocator_families(std::vector<prometheus::MetricFamily>& out);

}  // namespace tmkv::metrics
