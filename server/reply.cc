#include "server/reply.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace tmkv::server {

void Reply::header(char type, int64_t n) {
  char tmp[24];
  auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, n);
  (void)ec;
  buf_->push_back(type);
  buf_->append(tmp, end);
  buf_->append("\r\n", 2);
}

void Reply::simple(std::string_view s) {
  buf_->push_back('+');
  buf_->append(s);
  buf_->append("\r\n", 2);
}

void Reply::error(std::string_view msg) {
  // An error line cannot hold CR or LF: replace them, as Redis does.
  buf_->push_back('-');
  for (char c : msg) buf_->push_back(c == '\r' || c == '\n' ? ' ' : c);
  buf_->append("\r\n", 2);
}

void Reply::integer(int64_t v) { header(':', v); }

void Reply::bulk(std::string_view s) {
  header('$', static_cast<int64_t>(s.size()));
  buf_->append(s);
  buf_->append("\r\n", 2);
}

void Reply::null() { raw(resp3_ ? "_\r\n" : "$-1\r\n"); }
void Reply::null_array() { raw(resp3_ ? "_\r\n" : "*-1\r\n"); }
void Reply::array(size_t n) { header('*', static_cast<int64_t>(n)); }
void Reply::map(size_t pairs) {
  if (resp3_) {
    header('%', static_cast<int64_t>(pairs));
  } else {
    header('*', static_cast<int64_t>(2 * pairs));
  }
}
void Reply::set(size_t n) { header(resp3_ ? '~' : '*', static_cast<int64_t>(n)); }
void Reply::push(size_t n) { header(resp3_ ? '>' : '*', static_cast<int64_t>(n)); }

void Reply::dbl(double v) {
  char tmp[64];
  int len;
  if (std::isinf(v)) {
    len = std::snprintf(tmp, sizeof tmp, "%s", v > 0 ? "inf" : "-inf");
  } else {
    len = std::snprintf(tmp, sizeof tmp, "%.17g", v);
  }
  if (resp3_) {
    buf_->push_back(',');
    buf_->append(tmp, static_cast<size_t>(len));
    buf_->append("\r\n", 2);
  } else {
    bulk(std::string_view(tmp, static_cast<size_t>(len)));
  }
}

void Reply::verbatim(std::string_view s) {
  if (!resp3_) {
    bulk(s);
    return;
  }
  header('=', static_cast<int64_t>(s.size() + 4));
  buf_->append("txt:", 4);
  buf_->append(s);
  buf_->append("\r\n", 2);
}

void Reply::wrong_arity(std::string_view command) {
  std::string msg = "ERR wrong number of arguments for '";
  for (char c : command) msg.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  msg += "' command";
  error(msg);
}

}  // namespace tmkv::server
