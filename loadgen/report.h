// The final report: as text (stdout), as JSON (--json) and as an SVG chart
// of the per-second series (--plot).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "loadgen/options.h"
#include "loadgen/prom_text.h"
#include "loadgen/run.h"
#include "loadgen/workload.h"

namespace tmkv::loadgen {

struct Report {
  const Options* opts = nullptr;
  std::string workload;
  std::vector<std::string> op_names;
  const RunResult* run = nullptr;
  Verification verification;
  std::vector<std::pair<std::string, double>> extra;  // workload's own numbers
  bool metrics_scraped = false;
  std::string metrics_warning;
  std::vector<SeriesDelta> metrics_deltas;
};

void print_report(const Report& r, std::FILE* out);
bool write_json_report(const Report& r, const std::string& path, std::string& error);
bool write_svg_plot(const Report& r, const std::string& path, std::string& error);

}  // namespace tmkv::loadgen
