// Redis streams, the entries: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM,
// XSETID and XINFO, with Redis 7.0's replies, errors, order of checks and
// keyspace events. Consumer groups are in cmd_stream_groups.cc, XREAD and
// XREADGROUP in cmd_stream_read.cc.
//
// A stream is one value of one key (store/stream_value.h), so every stream
// command is one transaction like any other: an XADD inside MULTI/EXEC or a
// script commits with the block's other writes or not at all, and WATCH
// sees it.
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
using store::StreamEntry;
using store::StreamGroup;

// XADD's and XTRIM's options (Redis's streamAddTrimArgs).
struct AddTrimArgs {
  Stream::Trim strategy = Stream::Trim::kNone;
  uint64_t maxlen = 0;
  StreamId minid;
  bool approx = false;
  uint64_t limit = 0;
  bool nomkstream = false;
  bool id_given = false;  // XADD: an explicit ID (else "*")
  bool seq_given = true;  // XADD: "ms-*" leaves it false
  StreamId id;
  size_t next = 0;        // XADD: the first field's position
};

// Redis's streamParseAddOrTrimArgsOrReply.
bool parse_add_trim_or_reply(CommandContext& c, bool xadd, AddTrimArgs* a) {
  size_t i = 2;
  bool limit_given = false;
  for (; i < c.argc(); ++i) {
    const bool moreargs = i + 1 < c.argc();
    const std::string_view opt = c.arg(i);
    if (xadd && opt == "*") break;
    const bool maxlen = equals_ci(opt, "maxlen");
    if ((maxlen || equals_ci(opt, "minid")) && moreargs) {
      // Redis refuses a second strategy even when it is the same one.
      if (a->strategy != Stream::Trim::kNone) {
        c.out.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return false;
      }
      // "~" or "=" is an operator only with a threshold after it.
      a->approx = false;
      const std::string_view next = c.arg(i + 1);
      if (i + 2 < c.argc() && (next == "~" || next == "=")) {
        a->approx = next == "~";
        ++i;
      }
      if (maxlen) {
        int64_t n;
        if (!get_ll_or_reply(c.out, c.arg(i + 1), &n)) return false;
        if (n < 0) {
          c.out.error("ERR The MAXLEN argument must be >= 0.");
          return false;
        }
        a->maxlen = static_cast<uint64_t>(n);
        a->strategy = Stream::Trim::kMaxLen;
      } else {
        if (!parse_stream_id_or_reply(c, c.arg(i + 1), &a->minid, 0, true)) return false;
        a->strategy = Stream::Trim::kMinId;
      }
      ++i;
    } else if (equals_ci(opt, "limit") && moreargs) {
      int64_t limit;
      if (!get_ll_or_reply(c.out, c.arg(i + 1), &limit)) return false;
      if (limit < 0) {
        c.out.error("ERR The LIMIT argument must be >= 0.");
        return false;
      }
      a->limit = static_cast<uint64_t>(limit);
      limit_given = true;
      ++i;
    } else if (xadd && equals_ci(opt, "nomkstream")) {
      a->nomkstream = true;
    } else if (xadd) {
      if (!parse_stream_id(opt, &a->id, 0, true, &a->seq_given)) {
        c.out.error("ERR Invalid stream ID specified as stream command argument");
        return false;
      }
      a->id_given = true;
      break;
    } else {
      c.out.syntax_error();
      return false;
    }
  }
  if (limit_given && a->strategy == Stream::Trim::kNone) {
    c.out.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return false;
  }
  if (limit_given) {
    if (!a->approx) {
      c.out.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return false;
    }
  } else {
    // Redis's default for ~: 100 nodes' worth, or 10000 without a node limit.
    const uint64_t node_max = store::stream_node_max_entries();
    a->limit = !a->approx ? 0 : node_max == 0 || node_max > UINT64_MAX / 100 ? 10000 : 100 * node_max;
  }
  a->next = i + 1;
  return true;
}

// The ID an XADD appends: an explicit one, "ms-*", or "*" from the clock;
// Redis's streamAppendItem checks. False after replying an error.
bool next_add_id(CommandContext& c, const Stream& s, const AddTrimArgs& a, StreamId* id) {
  const StreamId last = s.last_id();
  if (!a.id_given) {
    const auto now = static_cast<uint64_t>(store::now_ms());
    if (now > last.ms) {
      *id = StreamId{now, 0};
      return true;
    }
    *id = last;
    if (!id->incr()) {
      c.out.error("ERR The stream has exhausted the last possible ID, unable to add more items");
      return false;
    }
    return true;
  }
  *id = a.id;
  if (!a.seq_given) {
    if (a.id.ms == last.ms) {
      if (last.seq == UINT64_MAX) {
        c.out.error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
        return false;
      }
      id->seq = last.seq + 1;
    } else {
      id->seq = 0;
    }
  }
  if (*id <= last) {
    c.out.error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    return false;
  }
  return true;
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
void cmd_xadd(CommandContext& c) {
  AddTrimArgs a;
  if (!parse_add_trim_or_reply(c, true, &a)) return;
  const size_t fields = c.argc() > a.next ? c.argc() - a.next : 0;
  if (fields < 2 || fields % 2 != 0) {
    c.out.wrong_arity("xadd");
    return;
  }
  if (a.id_given && a.seq_given && a.id.is_zero()) {
    c.out.error("ERR The ID specified in XADD must be greater than 0-0");
    return;
  }
  Stream s;
  const Blob* old;
  if (!stream_at(c, c.arg(1), false, &s, &old)) return;
  if (old == nullptr && a.nomkstream) {
    c.out.null();
    return;
  }
  if (s.last_id() == StreamId::max()) {
    c.out.error("ERR The stream has exhausted the last possible ID, unable to add more items");
    return;
  }
  // "0-*" on a stream whose last ID is 0-0 asks for 0-1 (0-0 is no ID).
  StreamId id;
  if (!next_add_id(c, s, a, &id)) return;
  s.append(id, c.args.subspan(a.next));
  const uint64_t trimmed = s.trim(a.strategy, a.maxlen, a.minid, a.approx, a.limit);
  if (!store_stream(c, c.arg(1), s, old)) return;
  reply_stream_id(c.out, id);
  notify_keyspace_event(c, kNotifyStream, "xadd", c.arg(1));
  if (trimmed > 0) notify_keyspace_event(c, kNotifyStream, "xtrim", c.arg(1));
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
void cmd_xtrim(CommandContext& c) {
  AddTrimArgs a;
  if (!parse_add_trim_or_reply(c, false, &a)) return;
  Stream s;
  const Blob* old;
  if (!stream_at(c, c.arg(1), false, &s, &old)) return;
  if (old == nullptr) {
    c.out.integer(0);
    return;
  }
  const uint64_t trimmed = s.trim(a.strategy, a.maxlen, a.minid, a.approx, a.limit);
  if (trimmed > 0) {
    if (!store_stream(c, c.arg(1), s, old)) return;
    notify_keyspace_event(c, kNotifyStream, "xtrim", c.arg(1));
  }
  c.out.integer(static_cast<int64_t>(trimmed));
}

void cmd_xlen(CommandContext& c) {
  Stream s;
  const Blob* b;
  if (!stream_at(c, c.arg(1), true, &s, &b)) return;
  c.out.integer(b == nullptr ? 0 : static_cast<int64_t>(s.length()));
}

// XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count]
void range_generic(CommandContext& c, bool rev) {
  StreamId start, end;
  if (!parse_range_start_or_reply(c, c.arg(rev ? 3 : 2), &start)) return;
  if (!parse_range_end_or_reply(c, c.arg(rev ? 2 : 3), &end)) return;
  int64_t count = -1;
  for (size_t j = 4; j < c.argc(); ++j) {
    if (equals_ci(c.arg(j), "count") && j + 1 < c.argc()) {
      if (!get_ll_or_reply(c.out, c.arg(j + 1), &count)) return;
      if (count < 0) count = 0;
      ++j;
    } else {
      c.out.syntax_error();
      return;
    }
  }
  Stream s;
  const Blob* b;
  if (!stream_at(c, c.arg(1), true, &s, &b)) return;
  if (b == nullptr) {
    c.out.array(0);
    return;
  }
  if (count == 0) {
    c.out.null_array();
    return;
  }
  reply_stream_range(c.out, s, start, end, count == -1 ? 0 : static_cast<uint64_t>(count), rev);
}

void cmd_xrange(CommandContext& c) { range_generic(c, false); }
void cmd_xrevrange(CommandContext& c) { range_generic(c, true); }

// XDEL key id [id ...]
void cmd_xdel(CommandContext& c) {
  // Redis looks the key up first, then checks every ID before deleting any.
  Stream s;
  const Blob* old;
  if (!stream_at(c, c.arg(1), false, &s, &old)) return;
  if (old == nullptr) {
    c.out.integer(0);
    return;
  }
  std::vector<StreamId> ids(c.argc() - 2);
  for (size_t j = 2; j < c.argc(); ++j) {
    if (!parse_stream_id_or_reply(c, c.arg(j), &ids[j - 2], 0, true)) return;
  }
  int64_t deleted = 0;
  for (StreamId id : ids) deleted += s.erase(id) ? 1 : 0;
  if (deleted > 0) {
    if (!store_stream(c, c.arg(1), s, old)) return;
    notify_keyspace_event(c, kNotifyStream, "xdel", c.arg(1));
  }
  c.out.integer(deleted);
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
void cmd_xsetid(CommandContext& c) {
  StreamId id, max_deleted;
  int64_t entries_added = -1;
  if (!parse_stream_id_or_reply(c, c.arg(2), &id, 0, true)) return;
  for (size_t i = 3; i < c.argc(); i += 2) {
    const bool moreargs = i + 1 < c.argc();
    if (equals_ci(c.arg(i), "entriesadded") && moreargs) {
      if (!get_ll_or_reply(c.out, c.arg(i + 1), &entries_added)) return;
      if (entries_added < 0) {
        c.out.error("ERR entries_added must be positive");
        return;
      }
    } else if (equals_ci(c.arg(i), "maxdeletedid") && moreargs) {
      if (!parse_stream_id_or_reply(c, c.arg(i + 1), &max_deleted, 0, true)) return;
      if (id < max_deleted) {
        c.out.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
        return;
      }
    } else {
      c.out.syntax_error();
      return;
    }
  }
  Stream s;
  const Blob* old;
  if (!stream_at(c, c.arg(1), false, &s, &old)) return;
  if (old == nullptr) {
    c.out.error("ERR no such key");
    return;
  }
  if (s.length() > 0) {
    if (id < s.last_entry_id()) {
      c.out.error("ERR The ID specified in XSETID is smaller than the target stream top item");
      return;
    }
    if (entries_added != -1 && s.length() > static_cast<uint64_t>(entries_added)) {
      c.out.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
      return;
    }
  }
  s.set_last_id(id);
  if (entries_added != -1) s.set_entries_added(static_cast<uint64_t>(entries_added));
  if (!max_deleted.is_zero()) s.set_max_deleted_id(max_deleted);
  if (!store_stream(c, c.arg(1), s, old)) return;
  c.out.ok();
  notify_keyspace_event(c, kNotifyStream, "xsetid", c.arg(1));
}

// ---- XINFO ----

void reply_entry_or_null(CommandContext& c, const Stream& s, bool first) {
  if (s.length() == 0) {
    c.out.null();
    return;
  }
  reply_stream_entry(c.out, s.entry_at(first ? 0 : s.length() - 1));
}

// last-delivered-id, entries-read and lag: the fields of a group that
// XINFO GROUPS and XINFO STREAM FULL both show, in that order.
void reply_group_progress(CommandContext& c, const Stream& s, const StreamGroup& g) {
  c.out.bulk("last-delivered-id");
  reply_stream_id(c.out, g.last_id);
  c.out.bulk("entries-read");
  if (g.entries_read == -1) {
    c.out.null();
  } else {
    c.out.integer(g.entries_read);
  }
  c.out.bulk("lag");
  const std::optional<int64_t> lag = stream_group_lag(s, g);
  if (lag) {
    c.out.integer(*lag);
  } else {
    c.out.null();
  }
}

// The fields XINFO STREAM shows in both forms, before the entries.
void reply_stream_header(CommandContext& c, const Stream& s) {
  c.out.bulk("length");
  c.out.integer(static_cast<int64_t>(s.length()));
  // Redis's radix tree holds one key per listpack node; tmkv shows its
  // emulated nodes (stream_value.h, NODES) and, as the tree's own node
  // count, the same figure plus its root.
  const uint64_t nodes = s.node_count();
  c.out.bulk("radix-tree-keys");
  c.out.integer(static_cast<int64_t>(nodes));
  c.out.bulk("radix-tree-nodes");
  c.out.integer(static_cast<int64_t>(nodes + 1));
  c.out.bulk("last-generated-id");
  reply_stream_id(c.out, s.last_id());
  c.out.bulk("max-deleted-entry-id");
  reply_stream_id(c.out, s.max_deleted_id());
  c.out.bulk("entries-added");
  c.out.integer(static_cast<int64_t>(s.entries_added()));
  c.out.bulk("recorded-first-entry-id");
  reply_stream_id(c.out, s.first_id());
}

void reply_stream_full(CommandContext& c, const Stream& s, uint64_t count) {
  c.out.map(9);
  reply_stream_header(c, s);
  c.out.bulk("entries");
  const uint64_t n = count == 0 || count > s.length() ? s.length() : count;
  c.out.array(n);
  for (uint64_t i = 0; i < n; ++i) reply_stream_entry(c.out, s.entry_at(i));
  c.out.bulk("groups");
  c.out.array(s.group_count());
  s.for_each_group([&](std::string_view name, const StreamGroup& g) {
    c.out.map(7);
    c.out.bulk("name");
    c.out.bulk(name);
    reply_group_progress(c, s, g);
    c.out.bulk("pel-count");
    c.out.integer(static_cast<int64_t>(g.pel.size()));
    c.out.bulk("pending");
    const uint64_t pn = count == 0 || count > g.pel.size() ? g.pel.size() : count;
    c.out.array(pn);
    for (uint64_t i = 0; i < pn; ++i) {
      const store::StreamPending p = Stream::pel_at(g.pel, i);
      c.out.array(4);
      reply_stream_id(c.out, p.id);
      c.out.bulk(p.consumer);
      c.out.integer(p.delivery_ms);
      c.out.integer(static_cast<int64_t>(p.delivery_count));
    }
    c.out.bulk("consumers");
    c.out.array(g.consumers.size());
    for (const auto& [cname, consumer] : g.consumers) {
      c.out.map(4);
      c.out.bulk("name");
      c.out.bulk(cname);
      c.out.bulk("seen-time");
      c.out.integer(consumer.seen_ms);
      c.out.bulk("pel-count");
      c.out.integer(static_cast<int64_t>(consumer.pending.size()));
      c.out.bulk("pending");
      const uint64_t cn = count == 0 || count > consumer.pending.size() ? consumer.pending.size() : count;
      c.out.array(cn);
      for (uint64_t i = 0; i < cn; ++i) {
        const StreamId id = StreamId::decode(consumer.pending.at(i).data());
        const store::StreamPending p = Stream::pel_at(g.pel, Stream::pel_lower_bound(g.pel, id));
        c.out.array(3);
        reply_stream_id(c.out, id);
        c.out.integer(p.delivery_ms);
        c.out.integer(static_cast<int64_t>(p.delivery_count));
      }
    }
  });
}

void xinfo_stream(CommandContext& c, const Stream& s) {
  if (c.argc() == 3) {
    c.out.map(10);
    reply_stream_header(c, s);
    c.out.bulk("groups");
    c.out.integer(static_cast<int64_t>(s.group_count()));
    c.out.bulk("first-entry");
    reply_entry_or_null(c, s, true);
    c.out.bulk("last-entry");
    reply_entry_or_null(c, s, false);
    return;
  }
  // Redis answers every malformed form with the container's own error.
  if ((c.argc() != 4 && c.argc() != 6) || !equals_ci(c.arg(3), "full")) {
    reply_subcommand_syntax(c, "XINFO");
    return;
  }
  int64_t count = 10;
  if (c.argc() == 6) {
    if (!equals_ci(c.arg(4), "count")) {
      reply_subcommand_syntax(c, "XINFO");
      return;
    }
    if (!get_ll_or_reply(c.out, c.arg(5), &count)) return;
    if (count < 0) count = 10;  // Redis's default again
  }
  reply_stream_full(c, s, static_cast<uint64_t>(count));
}

void xinfo_groups(CommandContext& c, const Stream& s) {
  c.out.array(s.group_count());
  s.for_each_group([&](std::string_view name, const StreamGroup& g) {
    c.out.map(6);
    c.out.bulk("name");
    c.out.bulk(name);
    c.out.bulk("consumers");
    c.out.integer(static_cast<int64_t>(g.consumers.size()));
    c.out.bulk("pending");
    c.out.integer(static_cast<int64_t>(g.pel.size()));
    reply_group_progress(c, s, g);
  });
}

void xinfo_consumers(CommandContext& c, const Stream& s) {
  const StreamGroup* g = s.group(c.arg(3));
  if (g == nullptr) {
    c.out.error("NOGROUP No such consumer group '" + c_text(c.arg(3)) + "' for key name '" + c_text(c.arg(2)) +
                "'");
    return;
  }
  const int64_t now = store::now_ms();
  c.out.array(g->consumers.size());
  for (const auto& [name, consumer] : g->consumers) {
    c.out.map(3);
    c.out.bulk("name");
    c.out.bulk(name);
    c.out.bulk("pending");
    c.out.integer(static_cast<int64_t>(consumer.pending.size()));
    c.out.bulk("idle");
    const int64_t idle = now - consumer.seen_ms;
    c.out.integer(idle < 0 ? 0 : idle);
  }
}

// XINFO CONSUMERS key group | GROUPS key | STREAM key [FULL [COUNT count]] | HELP
void cmd_xinfo(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  if (sub == "help") {
    static constexpr const char* kHelp[] = {
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help."};
    reply_help(c.out, kHelp);
    return;
  }
  Stream s;
  const Blob* b;
  if (!stream_at(c, c.arg(2), true, &s, &b)) return;
  if (b == nullptr) {
    c.out.error("ERR no such key");
    return;
  }
  if (sub == "consumers") {
    xinfo_consumers(c, s);
  } else if (sub == "groups") {
    xinfo_groups(c, s);
  } else {
    xinfo_stream(c, s);
  }
}

constexpr SubcommandArity kXinfoSubcommands[] = {
    {"consumers", 4}, {"groups", 3}, {"stream", -3}, {"help", 2}};

}  // namespace

void register_stream_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly;
  const uint32_t W = kTransactional | kWrite;
  t.push_back({"xadd", -5, W | kFast | kDenyOom, 1, 1, 1, "stream", "Appends a new message to a stream. Creates the key if it doesn't exist.", cmd_xadd});
  t.push_back({"xtrim", -4, W, 1, 1, 1, "stream", "Deletes messages from the beginning of a stream.", cmd_xtrim});
  t.push_back({"xlen", 2, R | kFast, 1, 1, 1, "stream", "Return the number of messages in a stream.", cmd_xlen});
  t.push_back({"xrange", -4, R, 1, 1, 1, "stream", "Returns the messages from a stream within a range of IDs.", cmd_xrange});
  t.push_back({"xrevrange", -4, R, 1, 1, 1, "stream", "Returns the messages from a stream within a range of IDs in reverse order.", cmd_xrevrange});
  t.push_back({"xdel", -3, W | kFast, 1, 1, 1, "stream", "Returns the number of messages after removing them from a stream.", cmd_xdel});
  t.push_back({"xsetid", -3, W | kFast | kDenyOom, 1, 1, 1, "stream", "An internal command for replicating stream values.", cmd_xsetid});
  t.push_back({"xinfo", -2, R, 0, 0, 0, "stream", "A container for stream introspection commands.", cmd_xinfo, kXinfoSubcommands});
}

}  // namespace tmkv::server
