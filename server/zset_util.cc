#include "server/zset_util.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/keyspace_events.h"

namespace tmkv::server {

using store::Blob;
using store::OpStatus;
using store::ValueType;
using store::ZSet;

bool zset_at(CommandContext& c, std::string_view key, bool for_read, ZSet* z, const Blob** blob) {
  const Blob* b = for_read ? lookup_for_read(c, key) : c.db().lookup(*c.tx, key);
  *blob = b;
  if (b == nullptr) return true;
  if (b->type() != ValueType::kZSet) {
    c.out.error(kWrongTypeError);
    return false;
  }
  *z = ZSet::from_body(b->view());
  return true;
}

bool store_zset(CommandContext& c, std::string_view key, const ZSet& z, const Blob* old, bool keep_expiry) {
  if (z.empty()) {
    if (old != nullptr) {
      c.db().del(*c.tx, key);
      notify_keyspace_event(c, kNotifyGeneric, "del", key);
    }
    return true;
  }
  const int64_t expire_at = keep_expiry && old != nullptr ? old->expire_at_ms() : 0;
  const OpStatus s = c.db().put(*c.tx, key, ValueType::kZSet, z.body_bytes(), expire_at);
  if (s != OpStatus::kOk) {
    reply_status(c.out, s);
    return false;
  }
  // A new sorted set: clients blocked on the key may be served.
  if (old == nullptr || old->type() != ValueType::kZSet) blocking_key_ready(c, key, c.client.db);
  return true;
}

// Redis's getDoubleFromObject: strtod over the whole argument, no leading
// space, no NaN, and no overflow or underflow to zero.
std::optional<double> parse_score(std::string_view s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  const std::string z(s);  // strtod needs the terminator
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(z.c_str(), &end);
  if (static_cast<size_t>(end - z.c_str()) != z.size()) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO)) return std::nullopt;
  if (std::isnan(v)) return std::nullopt;
  return v;
}

}  // namespace tmkv::server
