// DUMP and RESTORE, with Redis's payload format (rdb_string.h) and Redis
// 7's options, checks and error texts: values move between redis-server and
// tmkv in both directions. RESTORE is one transaction: the BUSYKEY check,
// the delete of REPLACE and the new value commit together.
#include <optional>
#include <string>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/rdb_value.h"
#include "server/server.h"
#include "store/access_clock.h"
#include "store/clock.h"
#include "store/list_value.h"
#include "store/zset_value.h"

namespace tmkv::server {
namespace {

void cmd_dump(CommandContext& c) {
  const store::Blob* b = lookup_for_read(c, c.arg(1));
  if (b == nullptr) {
    c.out.null();
    return;
  }
  std::optional<std::string> object = encode_value_rdb(*b, b->type() == store::ValueType::kZSet);
  if (!object) {
    // Only a stream node past a listpack's 4 GB limit (rdb_stream.h).
    c.out.error("ERR DUMP of this stream is not supported by tmkv (a node over a listpack's 4 GB)");
    return;
  }
  c.out.bulk(add_dump_footer(std::move(*object)));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
// [FREQ frequency]. As in Redis, IDLETIME sets the key's access time under
// an LRU (or no) eviction policy and FREQ its counter under an LFU one;
// each is checked either way and ignored under the other kind.
void cmd_restore(CommandContext& c) {
  bool replace = false, absttl = false, idletime = false, freq = false;
  int64_t idle_seconds = 0, frequency = 0;
  for (size_t j = 4; j < c.argc(); ++j) {
    const bool more = j + 1 < c.argc();
    int64_t n;
    if (equals_ci(c.arg(j), "replace")) {
      replace = true;
    } else if (equals_ci(c.arg(j), "absttl")) {
      absttl = true;
    } else if (equals_ci(c.arg(j), "idletime") && more && !freq) {
      if (!get_ll_or_reply(c.out, c.arg(++j), &n)) return;
      if (n < 0) {
        c.out.error("ERR Invalid IDLETIME value, must be >= 0");
        return;
      }
      idletime = true;
      idle_seconds = n;
    } else if (equals_ci(c.arg(j), "freq") && more && !idletime) {
      if (!get_ll_or_reply(c.out, c.arg(++j), &n)) return;
      if (n < 0 || n > 255) {
        c.out.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return;
      }
      freq = true;
      frequency = n;
    } else {
      c.out.syntax_error();
      return;
    }
  }
  const std::string_view key = c.arg(1);
  if (!replace && c.db().lookup(*c.tx, key) != nullptr) {  // a write's lookup: no hit/miss
    c.out.error("BUSYKEY Target key name already exists.");
    return;
  }
  int64_t ttl;
  if (!get_ll_or_reply(c.out, c.arg(2), &ttl)) return;
  if (ttl < 0) {
    c.out.error("ERR Invalid TTL value, must be >= 0");
    return;
  }
  DecodedPayload p = decode_dump_payload(c.arg(3), c.db().max_value_bytes());
  if (!p.error.empty()) {
    c.out.error(p.error);
    return;
  }
  int64_t expire_at = 0;
  if (ttl != 0) {
    const int64_t now = store::now_ms();
    // Redis adds the relative TTL to the clock in 64-bit two's complement;
    // an overflow lands in the past and the key is not created, as there.
    expire_at = absttl ? ttl : static_cast<int64_t>(static_cast<uint64_t>(ttl) + static_cast<uint64_t>(now));
    if (expire_at <= now) {
      if (replace && c.db().del(*c.tx, key)) notify_keyspace_event(c, kNotifyGeneric, "del", key);
      c.out.ok();
      return;
    }
  }
  if (replace) c.db().del(*c.tx, key);  // as Redis: deleted, then added ("new" either way)
  std::optional<uint32_t> access;
  const bool lfu = is_lfu_policy(c.server.evictor().policy());
  if (lfu && freq) access = store::lfu_bits_with_counter(static_cast<uint32_t>(frequency), store::now_ms());
  if (!lfu && idletime) access = store::lru_bits_idle_for(static_cast<uint64_t>(idle_seconds), store::now_ms());
  const StorableValue value(p);  // outlives the put(), which takes its own reference
  const store::OpStatus s = c.db().put(*c.tx, key, value.type(), value.bytes(), expire_at, access);
  if (s != store::OpStatus::kOk) {
    reply_status(c.out, s);
    return;
  }
  notify_keyspace_event(c, kNotifyGeneric, "restore", key);
  // Serves a client blocked on the key (BLPOP, BZPOPMIN, XREAD, XREADGROUP, ...).
  if (p.type == store::ValueType::kList || p.type == store::ValueType::kZSet || p.type == store::ValueType::kStream) {
    blocking_key_ready(c, key, c.client.db);
  }
  c.out.ok();
}

}  // namespace

void register_dump_commands(std::vector<CommandSpec>& t) {
  t.push_back({"dump", 2, kTransactional | kReadOnly, 1, 1, 1, "generic",
               "Returns a serialized representation of the value stored at a key.", cmd_dump});
  t.push_back({"restore", -4, kTransactional | kWrite | kDenyOom, 1, 1, 1, "generic",
               "Creates a key from the serialized representation of a value.", cmd_restore});
  // RESTORE-ASKING: Redis Cluster's form for a slot being imported; without
  // a cluster it is RESTORE, as in Redis.
  t.push_back({"restore-asking", -4, kTransactional | kWrite | kDenyOom, 1, 1, 1, "server", "An internal command for migrating keys in a cluster.", cmd_restore});
}

}  // namespace tmkv::server
