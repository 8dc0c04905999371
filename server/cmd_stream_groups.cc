// Redis stream consumer groups: XGROUP, XACK, XPENDING, XCLAIM and
// XAUTOCLAIM, with Redis 7.0's replies, errors, order of checks and keyspace
// events. XREADGROUP is in cmd_stream_read.cc; the groups themselves live
// in the stream's value (store/stream_value.h), so a group's state commits
// and aborts with the transaction that changed it.
#include <algorithm>
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "server/client.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/stream_util.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::StreamGroup;
using store::StreamPending;

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] | SETID key group
// id|$ [ENTRIESREAD n] | DESTROY key group | CREATECONSUMER key group
// consumer | DELCONSUMER key group consumer | HELP
void cmd_xgroup(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  if (sub == "help") {
    static constexpr const char* kHelp[] = {
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help."};
    reply_help(c.out, kHelp);
    return;
  }
  const bool create = sub == "create";
  bool mkstream = false;
  int64_t entries_read = -1;
  if (create || sub == "setid") {
    for (size_t i = 5; i < c.argc();) {
      if (create && equals_ci(c.arg(i), "mkstream")) {
        mkstream = true;
        ++i;
      } else if (equals_ci(c.arg(i), "entriesread") && i + 1 < c.argc()) {
        if (!get_ll_or_reply(c.out, c.arg(i + 1), &entries_read)) return;
        if (entries_read < 0 && entries_read != -1) {
          c.out.error("ERR value for ENTRIESREAD must be positive or -1");
          return;
        }
        i += 2;
      } else {
        reply_subcommand_syntax(c, "XGROUP");
        return;
      }
    }
  }
  const std::string_view key = c.arg(2), name = c.arg(3);
  Stream s;
  const Blob* old;
  if (!stream_at(c, key, false, &s, &old)) return;
  if (!mkstream) {
    if (old == nullptr) {
      c.out.error(
          "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the "
          "MKSTREAM option to create an empty stream automatically.");
      return;
    }
    if (s.group(name) == nullptr && (sub == "setid" || sub == "createconsumer" || sub == "delconsumer")) {
      c.out.error("NOGROUP No such consumer group '" + c_text(name) + "' for key name '" + c_text(key) + "'");
      return;
    }
  }
  const int64_t now = store::now_ms();
  if (create && c.argc() >= 5 && c.argc() <= 8) {
    StreamId id;
    if (c.arg(4) == "$") {
      id = old != nullptr ? s.last_id() : StreamId{};
    } else if (!parse_stream_id_or_reply(c, c.arg(4), &id, 0, true)) {
      return;
    }
    if (!s.create_group(name, id, entries_read)) {
      c.out.error("BUSYGROUP Consumer Group name already exists");
      return;
    }
    if (!store_stream(c, key, s, old)) return;
    c.out.ok();
    notify_keyspace_event(c, kNotifyStream, "xgroup-create", key);
  } else if (sub == "setid" && (c.argc() == 5 || c.argc() == 7)) {
    StreamId id;
    if (c.arg(4) == "$") {
      id = s.last_id();
    } else if (!parse_stream_id_or_reply(c, c.arg(4), &id, 0, false)) {
      return;
    }
    StreamGroup* g = s.mutable_group(name);
    g->last_id = id;
    g->entries_read = entries_read;
    if (!store_stream(c, key, s, old)) return;
    c.out.ok();
    notify_keyspace_event(c, kNotifyStream, "xgroup-setid", key);
  } else if (sub == "destroy" && c.argc() == 4) {
    if (!s.destroy_group(name)) {
      c.out.integer(0);
      return;
    }
    // Stored: clients blocked in XREADGROUP on the group learn it is gone.
    if (!store_stream(c, key, s, old)) return;
    c.out.integer(1);
    notify_keyspace_event(c, kNotifyStream, "xgroup-destroy", key);
  } else if (sub == "createconsumer" && c.argc() == 5) {
    StreamGroup* g = s.mutable_group(name);
    if (g->consumers.find(c.arg(4)) != g->consumers.end()) {
      c.out.integer(0);
      return;
    }
    g->consumers[std::string(c.arg(4))].seen_ms = now;
    if (!store_stream(c, key, s, old)) return;
    c.out.integer(1);
    notify_keyspace_event(c, kNotifyStream, "xgroup-createconsumer", key);
  } else if (sub == "delconsumer" && c.argc() == 5) {
    StreamGroup* g = s.mutable_group(name);
    int64_t pending = 0;
    auto it = g->consumers.find(c.arg(4));
    if (it != g->consumers.end()) {
      std::vector<StreamId> ids;
      const store::List& own = it->second.pending;
      for (uint64_t i = 0; i < own.size(); ++i) ids.push_back(StreamId::decode(own.at(i).data()));
      pending = static_cast<int64_t>(ids.size());
      for (StreamId id : ids) g->pel.erase(Stream::pel_lower_bound(g->pel, id));
      g->consumers.erase(it);
      if (!store_stream(c, key, s, old)) return;
      notify_keyspace_event(c, kNotifyStream, "xgroup-delconsumer", key);
    }
    c.out.integer(pending);
  } else {
    reply_subcommand_syntax(c, "XGROUP");
  }
}

// The group of key (a read lookup), or nullptr after replying: WRONGTYPE,
// or Redis's NOGROUP error. *s and *blob are the key's stream.
StreamGroup* group_or_reply(CommandContext& c, Stream* s, const Blob** blob) {
  if (!stream_at(c, c.arg(1), true, s, blob)) return nullptr;
  if (*blob == nullptr || s->group(c.arg(2)) == nullptr) {
    reply_nogroup(c, c.arg(1), c.arg(2));
    return nullptr;
  }
  return s->mutable_group(c.arg(2));
}

// XACK key group id [id ...]
void cmd_xack(CommandContext& c) {
  Stream s;
  const Blob* blob;
  if (!stream_at(c, c.arg(1), true, &s, &blob)) return;
  if (blob == nullptr || s.group(c.arg(2)) == nullptr) {
    c.out.integer(0);
    return;
  }
  std::vector<StreamId> ids(c.argc() - 3);
  for (size_t j = 3; j < c.argc(); ++j) {
    if (!parse_stream_id_or_reply(c, c.arg(j), &ids[j - 3], 0, true)) return;
  }
  StreamGroup* g = s.mutable_group(c.arg(2));
  int64_t acked = 0;
  for (StreamId id : ids) {
    const uint64_t pos = Stream::pel_lower_bound(g->pel, id);
    if (pos < g->pel.size() && Stream::pel_at(g->pel, pos).id == id) {
      Stream::pel_erase(*g, pos);
      ++acked;
    }
  }
  if (acked > 0 && !store_stream(c, c.arg(1), s, blob)) return;
  c.out.integer(acked);
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
void cmd_xpending(CommandContext& c) {
  const bool justinfo = c.argc() == 3;
  if (c.argc() != 3 && (c.argc() < 6 || c.argc() > 9)) {
    c.out.syntax_error();
    return;
  }
  int64_t minidle = 0, count = 0;
  StreamId start, end;
  std::string_view consumer_name;
  bool consumer_given = false;
  if (c.argc() >= 6) {
    size_t at = 3;
    if (equals_ci(c.arg(3), "idle")) {
      if (!get_ll_or_reply(c.out, c.arg(4), &minidle)) return;
      if (c.argc() < 8) {
        c.out.syntax_error();
        return;
      }
      at += 2;
    }
    if (!get_ll_or_reply(c.out, c.arg(at + 2), &count)) return;
    if (count < 0) count = 0;
    if (!parse_range_start_or_reply(c, c.arg(at), &start)) return;
    if (!parse_range_end_or_reply(c, c.arg(at + 1), &end)) return;
    if (at + 3 < c.argc()) {
      consumer_name = c.arg(at + 3);
      consumer_given = true;
    }
  }
  Stream s;
  const Blob* blob;
  if (!stream_at(c, c.arg(1), true, &s, &blob)) return;
  const StreamGroup* g = blob != nullptr ? s.group(c.arg(2)) : nullptr;
  if (g == nullptr) {
    reply_nogroup(c, c.arg(1), c.arg(2));
    return;
  }
  if (justinfo) {
    c.out.array(4);
    c.out.integer(static_cast<int64_t>(g->pel.size()));
    if (g->pel.empty()) {
      c.out.null();
      c.out.null();
      c.out.null_array();
      return;
    }
    reply_stream_id(c.out, Stream::pel_at(g->pel, 0).id);
    reply_stream_id(c.out, Stream::pel_at(g->pel, g->pel.size() - 1).id);
    size_t with_pending = 0;
    for (const auto& [name, consumer] : g->consumers) with_pending += consumer.pending.empty() ? 0 : 1;
    c.out.array(with_pending);
    for (const auto& [name, consumer] : g->consumers) {
      if (consumer.pending.empty()) continue;
      c.out.array(2);
      c.out.bulk(name);
      c.out.bulk(std::to_string(consumer.pending.size()));
    }
    return;
  }
  // Either the whole PEL or one consumer's IDs, from start on.
  const store::List* ids = nullptr;
  if (consumer_given) {
    auto it = g->consumers.find(consumer_name);
    if (it == g->consumers.end()) {
      c.out.array(0);
      return;
    }
    ids = &it->second.pending;
  }
  const int64_t now = store::now_ms();
  std::vector<StreamPending> rows;
  const uint64_t size = ids != nullptr ? ids->size() : g->pel.size();
  uint64_t i = ids != nullptr ? Stream::ids_lower_bound(*ids, start) : Stream::pel_lower_bound(g->pel, start);
  for (; count > 0 && i < size; ++i) {
    const StreamPending p =
        ids != nullptr
            ? Stream::pel_at(g->pel, Stream::pel_lower_bound(g->pel, StreamId::decode(ids->at(i).data())))
            : Stream::pel_at(g->pel, i);
    if (p.id > end) break;
    if (minidle != 0 && now - p.delivery_ms < minidle) continue;
    rows.push_back(p);
    --count;
  }
  c.out.array(rows.size());
  for (const StreamPending& p : rows) {
    c.out.array(4);
    reply_stream_id(c.out, p.id);
    c.out.bulk(p.consumer);
    const int64_t elapsed = now - p.delivery_ms;
    c.out.integer(elapsed < 0 ? 0 : elapsed);
    c.out.integer(static_cast<int64_t>(p.delivery_count));
  }
}

// XCLAIM's and XAUTOCLAIM's min-idle-time (argument 4): an integer, a
// negative one taken as 0, as Redis takes it.
bool parse_min_idle_or_reply(CommandContext& c, const char* command, int64_t* minidle) {
  const std::optional<int64_t> v = parse_ll(c.arg(4));
  if (!v) {
    c.out.error(std::string("ERR Invalid min-idle-time argument for ") + command);
    return false;
  }
  *minidle = std::max<int64_t>(*v, 0);
  return true;
}

// The consumer a claim gives entries to: looked up (its seen time
// refreshed) or created, with Redis's keyspace event, at the first claim.
void claiming_consumer(CommandContext& c, StreamGroup& g, std::string_view name, int64_t now, bool* ready) {
  if (*ready) return;
  *ready = true;
  auto it = g.consumers.find(name);
  if (it == g.consumers.end()) {
    g.consumers[std::string(name)].seen_ms = now;
    notify_keyspace_event(c, kNotifyStream, "xgroup-createconsumer", c.arg(1));
  } else {
    it->second.seen_ms = now;
  }
}

// The entry with this ID (a claim's reply), or nil if it is gone.
void reply_claimed(CommandContext& c, const Stream& s, StreamId id, bool justid) {
  if (justid) {
    reply_stream_id(c.out, id);
    return;
  }
  const uint64_t at = s.lower_bound(id);
  if (at < s.length() && s.id_at(at) == id) {
    reply_stream_entry(c.out, s.entry_at(at));
  } else {
    c.out.null();
  }
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
// [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
void cmd_xclaim(CommandContext& c) {
  Stream s;
  const Blob* blob;
  StreamGroup* g = group_or_reply(c, &s, &blob);
  if (g == nullptr) return;
  int64_t minidle;
  if (!parse_min_idle_or_reply(c, "XCLAIM", &minidle)) return;
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < c.argc(); ++j) {
    StreamId id;
    if (!parse_stream_id(c.arg(j), &id, 0, true, nullptr)) break;
    ids.push_back(id);
  }
  const int64_t now = store::now_ms();
  int64_t delivery = -1, retrycount = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; j < c.argc(); ++j) {
    const bool moreargs = j + 1 < c.argc();
    const std::string_view opt = c.arg(j);
    auto option_ll = [&](const char* what, int64_t* v) {
      const auto p = parse_ll(c.arg(++j));
      if (!p) {
        c.out.error(std::string("ERR Invalid ") + what + " option argument for XCLAIM");
        return false;
      }
      *v = *p;
      return true;
    };
    if (equals_ci(opt, "force")) {
      force = true;
    } else if (equals_ci(opt, "justid")) {
      justid = true;
    } else if (equals_ci(opt, "idle") && moreargs) {
      if (!option_ll("IDLE", &delivery)) return;
      delivery = now - delivery;
    } else if (equals_ci(opt, "time") && moreargs) {
      if (!option_ll("TIME", &delivery)) return;
    } else if (equals_ci(opt, "retrycount") && moreargs) {
      if (!option_ll("RETRYCOUNT", &retrycount)) return;
    } else if (equals_ci(opt, "lastid") && moreargs) {
      if (!parse_stream_id_or_reply(c, c.arg(++j), &last_id, 0, true)) return;
    } else {
      c.out.error("ERR Unrecognized XCLAIM option '" + std::string(opt) + "'");
      return;
    }
  }
  // Stored only if something changed: an unchanged key keeps its version,
  // so a WATCH on it is not broken for nothing.
  bool changed = false;
  if (last_id > g->last_id) {
    g->last_id = last_id;
    changed = true;
  }
  if (delivery < 0 || delivery > now) delivery = now;  // Redis's sanity rule, no error
  bool consumer_ready = false;
  const std::string_view name = c.arg(3);
  // Built first, sent after: the count of claimed entries leads the reply.
  std::vector<StreamId> claimed;
  for (StreamId id : ids) {
    uint64_t pos = Stream::pel_lower_bound(g->pel, id);
    const bool pending = pos < g->pel.size() && Stream::pel_at(g->pel, pos).id == id;
    if (!s.contains(id)) {
      if (pending) {
        Stream::pel_erase(*g, pos);  // the entry is gone: so is its claim
        changed = true;
      }
      continue;
    }
    // FORCE makes a claim for an entry no one had: Redis creates it as
    // delivered once, then claims it like any other (no idle check).
    const bool forced = !pending;
    if (forced) {
      if (!force) continue;
      claiming_consumer(c, *g, name, now, &consumer_ready);
      Stream::pel_insert(*g, id, name, now, 1);
      pos = Stream::pel_lower_bound(g->pel, id);
    }
    const StreamPending p = Stream::pel_at(g->pel, pos);
    if (!forced && minidle != 0 && now - p.delivery_ms < minidle) continue;
    claiming_consumer(c, *g, name, now, &consumer_ready);
    uint64_t n = p.delivery_count;
    if (retrycount >= 0) {
      n = static_cast<uint64_t>(retrycount);
    } else if (!justid) {
      ++n;
    }
    Stream::pel_assign(*g, pos, name, delivery, n);
    claimed.push_back(id);
  }
  if ((changed || !claimed.empty()) && !store_stream(c, c.arg(1), s, blob)) return;
  c.out.array(claimed.size());
  for (StreamId id : claimed) reply_claimed(c, s, id, justid);
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void cmd_xautoclaim(CommandContext& c) {
  // Redis looks the key up before it parses anything (a keyspace hit or
  // miss even for a call with bad arguments), and checks its type after.
  const Blob* blob = lookup_for_read(c, c.arg(1));
  int64_t minidle;
  if (!parse_min_idle_or_reply(c, "XAUTOCLAIM", &minidle)) return;
  StreamId start;
  if (!parse_range_start_or_reply(c, c.arg(5), &start)) return;
  int64_t count = 100;
  bool justid = false;
  constexpr int64_t kAttemptsFactor = 10;
  for (size_t j = 6; j < c.argc(); ++j) {
    if (equals_ci(c.arg(j), "count") && j + 1 < c.argc()) {
      if (!get_range_or_reply(c, c.arg(j + 1), 1, LONG_MAX / 16, "COUNT must be > 0", &count)) return;
      ++j;
    } else if (equals_ci(c.arg(j), "justid")) {
      justid = true;
    } else {
      c.out.syntax_error();
      return;
    }
  }
  if (blob != nullptr && blob->type() != store::ValueType::kStream) {
    c.out.error(kWrongTypeError);
    return;
  }
  Stream s = blob != nullptr ? Stream::from_body(blob->view()) : Stream();
  if (blob == nullptr || s.group(c.arg(2)) == nullptr) {
    reply_nogroup(c, c.arg(1), c.arg(2));
    return;
  }
  StreamGroup* g = s.mutable_group(c.arg(2));
  const int64_t now = store::now_ms();
  const std::string_view name = c.arg(3);
  bool consumer_ready = false;
  int64_t attempts = count * kAttemptsFactor;
  std::vector<StreamId> claimed, deleted;
  uint64_t pos = Stream::pel_lower_bound(g->pel, start);
  while (attempts-- > 0 && count > 0 && pos < g->pel.size()) {
    const StreamPending p = Stream::pel_at(g->pel, pos);
    if (!s.contains(p.id)) {
      deleted.push_back(p.id);
      Stream::pel_erase(*g, pos);  // pos now holds the next entry
      --count;
      continue;
    }
    if (minidle != 0 && now - p.delivery_ms < minidle) {
      ++pos;
      continue;
    }
    claiming_consumer(c, *g, name, now, &consumer_ready);
    Stream::pel_assign(*g, pos, name, now, justid ? p.delivery_count : p.delivery_count + 1);
    claimed.push_back(p.id);
    --count;
    ++pos;
  }
  // The cursor: the PEL entry after the last one looked at, or 0-0.
  const StreamId next = pos < g->pel.size() ? Stream::pel_at(g->pel, pos).id : StreamId{};
  if ((!claimed.empty() || !deleted.empty()) && !store_stream(c, c.arg(1), s, blob)) return;
  c.out.array(3);
  reply_stream_id(c.out, next);
  c.out.array(claimed.size());
  for (StreamId id : claimed) reply_claimed(c, s, id, justid);
  c.out.array(deleted.size());
  for (StreamId id : deleted) reply_stream_id(c.out, id);
}

constexpr SubcommandArity kXgroupSubcommands[] = {{"create", -5},         {"setid", -5},       {"destroy", 4},
                                                  {"createconsumer", 5}, {"delconsumer", 5}, {"help", 2}};

}  // namespace

void register_stream_group_commands(std::vector<CommandSpec>& t) {
  const uint32_t W = kTransactional | kWrite;
  t.push_back({"xgroup", -2, W, 0, 0, 0, "stream", "A container for consumer groups commands.", cmd_xgroup, kXgroupSubcommands});
  t.push_back({"xack", -4, W | kFast, 1, 1, 1, "stream", "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.", cmd_xack});
  t.push_back({"xpending", -3, kTransactional | kReadOnly, 1, 1, 1, "stream", "Returns the information and entries from a stream consumer group's pending entries list.", cmd_xpending});
  t.push_back({"xclaim", -6, W | kFast, 1, 1, 1, "stream", "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.", cmd_xclaim});
  t.push_back({"xautoclaim", -6, W | kFast, 1, 1, 1, "stream", "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.", cmd_xautoclaim});
}

}  // namespace tmkv::server
