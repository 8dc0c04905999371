// XREAD and XREADGROUP, blocking or not, with Redis 7.0's argument rules,
// errors and replies (a map per stream in RESP3, pairs in RESP2).
//
// Each call is one transaction over all its streams. XREADGROUP writes: it
// moves the group's last-delivered-id, adds to the pending-entries lists
// and creates the consumer, all committed together with the reply.
//
// BLOCKING. When nothing can be served and BLOCK was given, the command
// asks its connection to block on its keys (server/blocking.h) and is run
// again each time a write to one of them commits (store_stream marks the
// key). A "$" is resolved to the stream's last ID before the block, and the
// retries run with that ID in its place, as Redis remembers it; ">" stays,
// and is read from the group at each retry. A retry is served as Redis's
// serveClientsBlockedOnKey serves a woken client: on one key, once the
// stream's last ID passes what it waits after; an XREADGROUP whose stream
// is gone or replaced, or whose group is destroyed, ends with Redis's
// UNBLOCKED or NOGROUP error. A retry that is served or ends so wakes the
// next client blocked on the key, so one XADD serves every XREAD waiting
// for it, as in Redis. Inside MULTI/EXEC the command does not block: it
// answers nil at once; a script's BLOCK is refused, as Redis refuses it.
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

struct ReadArgs {
  bool group_form = false;  // XREADGROUP
  bool group_given = false;
  std::string_view group, consumer;
  bool noack = false;
  int64_t count = 0;        // 0: no limit
  int64_t timeout_ms = -1;  // -1: no BLOCK
  size_t streams_at = 0;    // first key
  size_t streams = 0;       // number of keys
};

// Redis's xreadCommand argument loop.
bool parse_read_or_reply(CommandContext& c, bool group_form, ReadArgs* a) {
  a->group_form = group_form;
  for (size_t i = 1; i < c.argc(); ++i) {
    const size_t moreargs = c.argc() - i - 1;
    const std::string_view o = c.arg(i);
    if (equals_ci(o, "block") && moreargs > 0) {
      if (c.in_script) {  // Redis refuses it there, rather than not block
        c.out.error("ERR " + std::string(c.arg(0)) + " command is not allowed with BLOCK option from scripts");
        return false;
      }
      ++i;
      if (!parse_ms_timeout_or_reply(c, c.arg(i), &a->timeout_ms)) return false;
    } else if (equals_ci(o, "count") && moreargs > 0) {
      ++i;
      if (!get_ll_or_reply(c.out, c.arg(i), &a->count)) return false;
      if (a->count < 0) a->count = 0;
    } else if (equals_ci(o, "streams") && moreargs > 0) {
      a->streams_at = i + 1;
      const size_t n = c.argc() - a->streams_at;
      if (n % 2 != 0) {  // Redis 7.0 says XREAD and '$' for XREADGROUP too
        c.out.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return false;
      }
      a->streams = n / 2;
      break;
    } else if (equals_ci(o, "group") && moreargs >= 2) {
      if (!group_form) {
        c.out.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      a->group_given = true;
      a->group = c.arg(i + 1);
      a->consumer = c.arg(i + 2);
      i += 2;
    } else if (equals_ci(o, "noack")) {
      if (!group_form) {
        c.out.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      a->noack = true;
    } else {
      c.out.syntax_error();
      return false;
    }
  }
  if (a->streams_at == 0) {
    c.out.syntax_error();
    return false;
  }
  if (group_form && !a->group_given) {
    c.out.error("ERR Missing GROUP option for XREADGROUP");
    return false;
  }
  return true;
}

// One stream of the call: the key's version, and what to read after.
struct ReadTarget {
  std::string_view key;
  // The key's stream. A key named twice is one stream: the later target
  // reads and writes the first one's (`owner`), as Redis serves both from
  // the one object, so a group read twice delivers each entry once.
  size_t owner = 0;
  Stream s;
  const Blob* blob = nullptr;
  StreamId after;         // serve IDs greater than this
  bool new_only = false;  // XREADGROUP ">"
};

// Redis's streamReplyWithRange for a group reading new entries (">"):
// advances last-delivered-id and entries-read, and records each entry in
// the PEL (unless NOACK), reassigning one that was pending already.
void deliver_new(Reply& out, const Stream& s, StreamId after, StreamGroup& g, std::string_view consumer,
                 bool noack, uint64_t count, int64_t now) {
  StreamId start = after;
  const bool more = start.incr();
  const uint64_t from = more ? s.lower_bound(start) : s.length();
  uint64_t n = s.length() - from;
  if (count > 0 && n > count) n = count;
  out.array(n);
  for (uint64_t i = 0; i < n; ++i) {
    const store::StreamEntry e = s.entry_at(from + i);
    if (e.id > g.last_id) {
      if (g.entries_read != -1 && !stream_range_has_tombstones(s, e.id)) {
        ++g.entries_read;
      } else if (s.entries_added() > 0) {
        g.entries_read = s.estimate_distance(e.id);
      }
      g.last_id = e.id;
    }
    if (!noack) {
      const uint64_t pos = Stream::pel_lower_bound(g.pel, e.id);
      if (pos < g.pel.size() && Stream::pel_at(g.pel, pos).id == e.id) {
        Stream::pel_assign(g, pos, consumer, now, 1);
      } else {
        Stream::pel_insert(g, e.id, consumer, now, 1);
      }
    }
    reply_stream_entry(out, e);
  }
}

// Redis's streamReplyWithRangeFromConsumerPEL: the consumer's own pending
// entries after t.after; one deleted since is [id, nil].
void deliver_history(Reply& out, const Stream& s, StreamId after, StreamGroup& g, std::string_view consumer,
                     uint64_t count, int64_t now) {
  std::vector<StreamId> ids;
  StreamId start = after;
  auto it = g.consumers.find(consumer);
  if (start.incr() && it != g.consumers.end()) {
    const store::List& own = it->second.pending;
    for (uint64_t i = Stream::ids_lower_bound(own, start); i < own.size(); ++i) {
      if (count > 0 && ids.size() >= count) break;
      ids.push_back(StreamId::decode(own.at(i).data()));
    }
  }
  out.array(ids.size());
  for (StreamId id : ids) {
    const uint64_t at = s.lower_bound(id);
    if (at < s.length() && s.id_at(at) == id) {
      reply_stream_entry(out, s.entry_at(at));
      const uint64_t pos = Stream::pel_lower_bound(g.pel, id);
      const store::StreamPending p = Stream::pel_at(g.pel, pos);
      Stream::pel_assign(g, pos, consumer, now, p.delivery_count + 1);
    } else {
      out.array(2);
      reply_stream_id(out, id);
      out.null_array();
    }
  }
}

// A woken XREADGROUP whose stream or group is gone: the error ends its
// wait, and the clients blocked behind it on its keys re-check them.
void end_retry_with_error(CommandContext& c, const ReadArgs& a, const char* error) {
  c.out.error(error);
  for (size_t i = 0; i < a.streams; ++i) blocking_key_ready(c, c.arg(a.streams_at + i), c.client.db);
}

void read_generic(CommandContext& c, bool group_form) {
  ReadArgs a;
  if (!parse_read_or_reply(c, group_form, &a)) return;
  std::vector<ReadTarget> targets(a.streams);
  bool resolved_dollar = false;
  for (size_t i = 0; i < a.streams; ++i) {
    ReadTarget& t = targets[i];
    t.key = c.arg(a.streams_at + i);
    t.owner = i;
    for (size_t j = 0; j < i; ++j) {
      if (targets[j].key == t.key) {
        t.owner = j;
        break;
      }
    }
    if (c.client.block_retry) {
      // Woken (blocking.h): Redis's serveClientsBlockedOnKey. XREAD waits
      // on through a key deleted or of another type; XREADGROUP is told.
      const Blob* b = lookup_for_read(c, t.key);
      const bool is_stream = b != nullptr && b->type() == store::ValueType::kStream;
      if (is_stream) {
        t.blob = b;
        t.s = Stream::from_body(b->view());
      }
      if (group_form && !is_stream) {
        end_retry_with_error(c, a, "UNBLOCKED the stream key no longer exists");
        return;
      }
      if (group_form && t.s.group(a.group) == nullptr) {
        end_retry_with_error(c, a, "NOGROUP the consumer group this client was blocked on no longer exists");
        return;
      }
    } else {
      if (!stream_at(c, t.key, true, &t.s, &t.blob)) return;
      if (group_form && (t.blob == nullptr || t.s.group(a.group) == nullptr)) {
        reply_nogroup(c, t.key, a.group, " in XREADGROUP with GROUP option");
        return;
      }
    }
    const std::string_view id_arg = c.arg(a.streams_at + a.streams + i);
    if (id_arg == "$") {
      if (group_form) {
        c.out.error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this "
            "consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return "
            "an empty result set.");
        return;
      }
      t.after = t.blob != nullptr ? t.s.last_id() : StreamId{};
      resolved_dollar = true;
    } else if (id_arg == ">") {
      if (!group_form) {
        c.out.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
                    "<consumer> option.");
        return;
      }
      t.new_only = true;
    } else if (!parse_stream_id_or_reply(c, id_arg, &t.after, 0, true)) {
      return;
    }
  }

  const int64_t now = store::now_ms();
  const uint64_t count = static_cast<uint64_t>(a.count);
  // Redis decides and serves stream by stream, so a key named twice sees
  // what serving it the first time did. The reply's length leads it: the
  // served streams are written aside, then sent behind it.
  std::string body;
  Reply part(&body);
  part.set_resp3(c.out.resp3());
  size_t served = 0;
  for (size_t i = 0; i < a.streams; ++i) {
    ReadTarget& t = targets[i];
    ReadTarget& owner = targets[t.owner];
    Stream& s = owner.s;
    // Redis looks every key up again to serve it: a second keyspace hit or
    // miss (and keymiss event) per key, which INFO shows.
    if (!c.client.block_retry) (void)lookup_for_read(c, t.key);
    if (owner.blob == nullptr) continue;
    StreamId after = t.after;
    if (group_form && t.new_only) after = s.group(a.group)->last_id;
    if (c.client.block_retry) {
      // Redis serves a woken reader on one key, once the stream's last ID
      // (not its last entry: an XADD may have trimmed its own entry away)
      // passes what it waits after.
      if (served > 0 || s.last_id() <= after) continue;
    } else if (group_form && !t.new_only) {
      // A history read is always served.
    } else if (s.length() == 0 || s.last_entry_id() <= after) {
      continue;
    }
    ++served;
    if (!part.resp3()) part.array(2);
    part.bulk(t.key);
    if (!group_form) {
      if (after.incr()) {
        reply_stream_range(part, s, after, StreamId::max(), count, false);
      } else {
        part.array(0);
      }
    } else {
      StreamGroup* g = s.mutable_group(a.group);
      auto consumer = g->consumers.find(a.consumer);
      if (consumer == g->consumers.end()) {
        g->consumers[std::string(a.consumer)].seen_ms = now;
        notify_keyspace_event(c, kNotifyStream, "xgroup-createconsumer", t.key);
      } else {
        consumer->second.seen_ms = now;
      }
      if (t.new_only) {
        deliver_new(part, s, after, *g, a.consumer, a.noack, count, now);
      } else {
        deliver_history(part, s, after, *g, a.consumer, count, now);
      }
      // Written back: the group's state changed (store_stream marks the
      // key, which also passes a served retry's wake on).
      if (!store_stream(c, t.key, s, owner.blob)) return;
    }
    // A served retry wakes the next client blocked on the key (blocking.h).
    if (!group_form && c.client.block_retry) blocking_key_ready(c, t.key, c.client.db);
  }
  if (served > 0) {
    if (c.out.resp3()) {
      c.out.map(served);
    } else {
      c.out.array(served);
    }
    c.out.raw(body);
    return;
  }

  if (a.timeout_ms == -1 || c.in_exec) {
    c.out.null_array();
    return;
  }
  Client::BlockRequest req;
  for (const ReadTarget& t : targets) req.keys.emplace_back(t.key);
  req.timeout_ms = block_timeout_ms(a.timeout_ms);
  if (resolved_dollar) {
    // Retries read after the IDs "$" stood for now.
    req.args.assign(c.args.begin(), c.args.end());
    for (size_t i = 0; i < a.streams; ++i) {
      std::string& id = req.args[a.streams_at + a.streams + i];
      if (id == "$") id = targets[i].after.text();
    }
  }
  c.client.block_request = std::move(req);
}

void cmd_xread(CommandContext& c) { read_generic(c, false); }
void cmd_xreadgroup(CommandContext& c) { read_generic(c, true); }

}  // namespace

void register_stream_read_commands(std::vector<CommandSpec>& t) {
  t.push_back({"xread", -4, kTransactional | kReadOnly, 0, 0, 0, "stream", "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.", cmd_xread});
  t.push_back({"xreadgroup", -7, kTransactional | kWrite, 0, 0, 0, "stream", "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.", cmd_xreadgroup});
}

}  // namespace tmkv::server
