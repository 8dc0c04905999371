// Numbers for people (latencies with a unit, large counts with a suffix),
// and writing the report files.
#pragma once

#include <cstdint>
#include <string>

namespace tmkv::loadgen {

std::string format_ns(uint64_t ns);     // "87.3us", "1.25ms", "2.01s"
std::string format_count(double n);     // "12345", "1.23M"
std::string json_escape(const std::string& s);

// Writes text to path (replacing it); false with error set if it cannot.
bool write_text_file(const std::string& path, const std::string& text, std::string& error);

}  // namespace tmkv::loadgen
