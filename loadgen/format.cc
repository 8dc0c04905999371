#include "loadgen/format.h"

#include <cstdio>
#include <fstream>

namespace tmkv::loadgen {

std::string format_ns(uint64_t ns) {
  char buf[32];
  const double v = static_cast<double>(ns);
  if (ns < 1000) std::snprintf(buf, sizeof buf, "%lluns", static_cast<unsigned long long>(ns));
  else if (v < 1e6) std::snprintf(buf, sizeof buf, "%.1fus", v / 1e3);
  else if (v < 1e9) std::snprintf(buf, sizeof buf, "%.2fms", v / 1e6);
  else std::snprintf(buf, sizeof buf, "%.2fs", v / 1e9);
  return buf;
}

std::string format_count(double n) {
  char buf[32];
  if (n < 1e6) std::snprintf(buf, sizeof buf, "%.0f", n);
  else std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
  return buf;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

bool write_text_file(const std::string& path, const std::string& text, std::string& error) {
  std::ofstream f(path);
  f << text;
  f.close();
  if (!f) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace tmkv::loadgen
