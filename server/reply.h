// Reply: builds RESP2 or RESP3 replies into a connection's output buffer.
//
// Commands append replies; the connection writes the buffer once per batch
// of requests it parsed (replies are "written in batches"). A transaction
// attempt marks the buffer's size first and truncates back to it if it
// retries, so no reply of an aborted attempt ever reaches the client.
//
// RESP3-only types degrade the way Redis degrades them for RESP2 clients:
// maps become flat arrays, sets arrays, null becomes $-1 (or *-1 for a null
// array), doubles bulk strings, booleans integers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tmkv::server {

class Reply {
 public:
  explicit Reply(std::string* buf) : buf_(buf) {}

  void set_resp3(bool on) { resp3_ = on; }
  bool resp3() const { return resp3_; }

  size_t mark() const { return buf_->size(); }
  void truncate(size_t mark) { buf_->resize(mark); }
  // True if the reply written at `mark` is an error (RESP2/3 simple error
  // or RESP3 blob error): how command statistics tell a failed call.
  bool error_at(size_t mark) const {
    return mark < buf_->size() && ((*buf_)[mark] == '-' || (*buf_)[mark] == '!');
  }

  // The error line written at `mark`, without its '-' (error_at(mark) must
  // hold): what error statistics classify by its first word.
  std::string_view error_line_at(size_t mark) const { return std::string_view(*buf_).substr(mark + 1); }

  void ok() { raw("+OK\r\n"); }
  void simple(std::string_view s);            // +s
  void error(std::string_view msg);           // -msg (msg starts with the code, e.g. "ERR ...")
  void integer(int64_t v);                    // :v
  void bulk(std::string_view s);              // $len s
  void null();                                // $-1 / _
  void null_array();                          // *-1 / _
  void array(size_t n);                       // *n
  void map(size_t pairs);                     // %n / *2n
  void set(size_t n);                         // ~n / *n
  void push(size_t n);                        // >n / *n (pub/sub events)
  void dbl(double v);                         // ,v / $ (Redis's %.17g formatting)
  void verbatim(std::string_view s);          // =len txt:s / $ (INFO, CLIENT INFO)

  // Redis's standard errors.
  void wrong_arity(std::string_view command);  // ERR wrong number of arguments for '...' command
  void syntax_error() { error("ERR syntax error"); }

  void raw(std::string_view bytes) { buf_->append(bytes); }

 private:
  void header(char type, int64_t n);

  std::string* buf_;
  bool resp3_ = false;
};

}  // namespace tmkv::server
