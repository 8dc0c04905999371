// A small parser for the Prometheus text exposition format (version 0.0.4):
// enough to read counters and compute what a run changed.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tmkv::loadgen {

// name{label="v",...} -> value. Labels are kept sorted, so a series' key is
// canonical: `name{a="1",b="2"}` (or `name` without labels).
using Samples = std::map<std::string, double>;

// Parses the exposition text; comment lines and blank lines are skipped.
// Returns false (and `error`, with the line number) on a malformed line.
bool parse_prom_text(const std::string& text, Samples& out, std::string& error);

// One series' change between two scrapes.
struct SeriesDelta {
  std::string series;
  double delta;
};

// The changes of every series of the families in `names`, in series order;
// a series missing from `before` counts from 0. Unchanged series omitted.
std::vector<SeriesDelta> counter_deltas(const Samples& before, const Samples& after,
                                        const std::vector<std::string>& names);

// The metric name of a series key ("a{x=\"1\"}" -> "a").
std::string series_name(const std::string& series);

}  // namespace tmkv::loadgen
