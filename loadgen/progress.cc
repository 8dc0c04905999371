#include "loadgen/progress.h"

#include <cstdio>

#include "loadgen/format.h"

namespace tmkv::loadgen {

void Progress::show(double second, double warmup_s, const SecondStats& s) {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K[%4.0fs%s] %s ops/s  p50 %s  p99 %s%s  errors %llu  retries %llu", second,
               second - 1 < warmup_s ? " warm-up" : "", format_count(static_cast<double>(s.ops)).c_str(),
               format_ns(s.latency.percentile(0.50)).c_str(), format_ns(s.latency.percentile(0.99)).c_str(),
               mixed_ ? " (all ops)" : "", static_cast<unsigned long long>(s.errors),
               static_cast<unsigned long long>(s.retries));
  std::fflush(stderr);
  shown_ = true;
}

void Progress::finish() {
  if (enabled_ && shown_) std::fputs("\n", stderr);
}

}  // namespace tmkv::loadgen
