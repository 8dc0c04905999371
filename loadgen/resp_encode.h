// Appends RESP2 commands (arrays of bulk strings) to an output buffer.
// Used on the hot path: no allocation beyond the buffer's own growth.
#pragma once

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace tmkv::loadgen {

class RespEncoder {
 public:
  explicit RespEncoder(std::string& out) : out_(out) {}

  // *<n>\r\n: the header of a command of n arguments.
  void begin(size_t n) { header('*', n); }
  void arg(std::string_view a) {
    header('$', a.size());
    out_.append(a);
    out_.append("\r\n", 2);
  }
  void arg(int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    arg(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
  }
  // A key "<prefix><number>" written without building a string first.
  void key_arg(std::string_view prefix, uint64_t n) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    const auto digits = static_cast<size_t>(r.ptr - buf);
    header('$', prefix.size() + digits);
    out_.append(prefix);
    out_.append(buf, digits);
    out_.append("\r\n", 2);
  }
  void command(std::initializer_list<std::string_view> args) {
    begin(args.size());
    for (auto a : args) arg(a);
  }

 private:
  void header(char type, size_t n) {
    char buf[24];
    buf[0] = type;
    auto r = std::to_chars(buf + 1, buf + sizeof buf - 2, n);
    *r.ptr++ = '\r';
    *r.ptr++ = '\n';
    out_.append(buf, static_cast<size_t>(r.ptr - buf));
  }
  std::string& out_;
};

}  // namespace tmkv::loadgen
