// Which arguments of a command are passwords, so that SLOWLOG and MONITOR
// show "(redacted)" in their place, as Redis does: AUTH's arguments, the
// user and password after HELLO's AUTH, and CONFIG SET requirepass's value.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace tmkv::server {

inline bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

inline bool is_secret_argument(std::span<const std::string_view> args, size_t i) {
  if (args.empty() || i == 0) return false;
  if (ascii_iequals(args[0], "auth")) return true;
  // HELLO [protover [AUTH username password] ...]
  if (ascii_iequals(args[0], "hello")) {
    return i >= 3 && (ascii_iequals(args[i - 1], "auth") || ascii_iequals(args[i - 2], "auth"));
  }
  if (ascii_iequals(args[0], "config") && args.size() >= 2 && ascii_iequals(args[1], "set")) {
    return i >= 3 && i % 2 == 1 && ascii_iequals(args[i - 1], "requirepass");
  }
  return false;
}

}  // namespace tmkv::server
