#include "loadgen/prom_text.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace tmkv::loadgen {

namespace {

bool is_name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

// Parses `{a="x",b="y"}` starting at line[pos] == '{'; canonical text out.
bool parse_labels(const std::string& line, size_t& pos, std::string& canonical) {
  std::vector<std::pair<std::string, std::string>> labels;
  ++pos;  // '{'
  for (;;) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == ',')) ++pos;
    if (pos < line.size() && line[pos] == '}') {
      ++pos;
      break;
    }
    const size_t start = pos;
    while (pos < line.size() && is_name_char(line[pos], pos == start)) ++pos;
    if (pos == start || pos + 1 >= line.size() || line[pos] != '=' || line[pos + 1] != '"') return false;
    std::string name = line.substr(start, pos - start), value;
    pos += 2;
    for (;; ++pos) {
      if (pos >= line.size()) return false;
      if (line[pos] == '"') break;
      if (line[pos] == '\\' && pos + 1 < line.size()) {
        ++pos;
        value += line[pos] == 'n' ? '\n' : line[pos];
      } else {
        value += line[pos];
      }
    }
    ++pos;  // closing quote
    labels.emplace_back(std::move(name), std::move(value));
  }
  std::sort(labels.begin(), labels.end());
  canonical = "{";
  for (size_t i = 0; i < labels.size(); ++i)
    canonical += (i ? "," : "") + labels[i].first + "=\"" + labels[i].second + "\"";
  canonical += "}";
  if (labels.empty()) canonical.clear();
  return true;
}

}  // namespace

bool parse_prom_text(const std::string& text, Samples& out, std::string& error) {
  size_t line_no = 0, begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t pos = 0;
    while (pos < line.size() && line[pos] == ' ') ++pos;
    if (pos == line.size() || line[pos] == '#') continue;
    const size_t name_start = pos;
    while (pos < line.size() && is_name_char(line[pos], pos == name_start)) ++pos;
    std::string key = line.substr(name_start, pos - name_start), labels;
    bool ok = !key.empty();
    if (ok && pos < line.size() && line[pos] == '{') ok = parse_labels(line, pos, labels);
    if (ok && (pos >= line.size() || line[pos] != ' ')) ok = false;
    double value = 0;
    if (ok) {
      while (pos < line.size() && line[pos] == ' ') ++pos;
      const size_t vstart = pos;
      while (pos < line.size() && line[pos] != ' ') ++pos;
      const std::string v = line.substr(vstart, pos - vstart);
      char* endp = nullptr;
      value = std::strtod(v.c_str(), &endp);  // also takes NaN, +Inf, -Inf
      ok = !v.empty() && endp == v.c_str() + v.size();
    }
    if (!ok) {
      error = "line " + std::to_string(line_no) + " is not a sample: '" + line + "'";
      return false;
    }
    out[key + labels] = value;  // an optional timestamp after the value is ignored
  }
  return true;
}

std::string series_name(const std::string& series) { return series.substr(0, series.find('{')); }

std::vector<SeriesDelta> counter_deltas(const Samples& before, const Samples& after,
                                        const std::vector<std::string>& names) {
  std::vector<SeriesDelta> out;
  for (const auto& [series, value] : after) {
    if (std::find(names.begin(), names.end(), series_name(series)) == names.end()) continue;
    auto it = before.find(series);
    const double d = value - (it == before.end() ? 0.0 : it->second);
    if (d != 0) out.push_back({series, d});
  }
  return out;
}

}  // namespace tmkv::loadgen
