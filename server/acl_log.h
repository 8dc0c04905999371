// AclLog: what ACL LOG shows. Redis logs every denied authentication and
// every command, key or channel an ACL rule refused. tmkv has one user,
// "default", allowed everything, so the only denials are failed
// authentications (AUTH and HELLO ... AUTH with a wrong password or an
// unknown user): the entries an operator reads to see who is guessing
// passwords.
//
// As Redis groups them: a failure with the same reason, context, object and
// username as an entry updated less than 60 s ago counts on that entry
// (count + 1, the new client's description, moved to the front) instead of
// adding one. At most acllog-max-len entries are kept, newest first.
//
// THREADING: any thread adds (a failed AUTH on its connection) and reads
// (ACL LOG); every member is guarded by mu_. Failures are rare and a
// brute-force client is slowed down by nothing else here, so one lock is
// enough.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::server {

struct AclLogEntry {
  uint64_t count = 1;
  std::string reason;       // "auth"
  std::string context;      // "toplevel" or "multi" (inside EXEC)
  std::string object;       // the command as sent: AUTH or HELLO
  std::string username;     // the user name that was tried
  int64_t updated_ms = 0;   // Unix ms of the last failure counted here
  std::string client_info;  // CLIENT INFO of the last client counted here
};

class AclLog {
 public:
  static constexpr int64_t kGroupingMs = 60000;  // Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA

  void add(AclLogEntry entry, size_t max_len);
  // The newest n entries, newest first.
  std::vector<AclLogEntry> newest(size_t n) const;
  void reset();

 private:
  mutable std::mutex mu_;
  std::deque<AclLogEntry> entries_;  // newest first; guarded by mu_
};

}  // namespace tmkv::server
