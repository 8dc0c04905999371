#include "server/stream_util.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "server/client.h"
#include "server/cmd_util.h"
#include "store/op_status.h"

namespace tmkv::server {

using store::Blob;
using store::StreamGroup;
using store::ValueType;

namespace {

// Redis's string2ull: a strict signed 64-bit integer that is not negative,
// or failing that whatever strtoull takes whole (leading blanks, a sign,
// leading zeros, values up to 2^64-1; "-05" wraps, as it does in Redis).
bool string2ull(const std::string& s, uint64_t* v) {
  if (auto ll = parse_ll(s)) {
    if (*ll < 0) return false;
    *v = static_cast<uint64_t>(*ll);
    return true;
  }
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long r = std::strtoull(s.c_str(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || end != s.c_str() + s.size()) return false;
  // strtoull accepts "" after blanks only as a failure (end == start).
  if (end == s.c_str()) return false;
  *v = r;
  return true;
}

}  // namespace

bool parse_stream_id(std::string_view s, StreamId* id, uint64_t missing_seq, bool strict, bool* seq_given) {
  if (s.size() > 127) return false;
  // Redis copies the argument into a C string: a NUL ends it there.
  std::string buf(s.substr(0, s.find('\0')));
  if (strict && buf.size() == 1 && (buf[0] == '-' || buf[0] == '+')) return false;
  if (seq_given != nullptr) *seq_given = true;
  if (buf == "-") {
    *id = StreamId{};
    return true;
  }
  if (buf == "+") {
    *id = StreamId::max();
    return true;
  }
  const size_t dash = buf.find('-');
  uint64_t ms = 0;
  uint64_t seq = missing_seq;
  if (!string2ull(buf.substr(0, dash), &ms)) return false;
  if (dash != std::string::npos) {
    const std::string tail = buf.substr(dash + 1);
    if (seq_given != nullptr && tail == "*") {
      seq = 0;
      *seq_given = false;
    } else if (!string2ull(tail, &seq)) {
      return false;
    }
  }
  *id = StreamId{ms, seq};
  return true;
}

bool parse_stream_id_or_reply(CommandContext& c, std::string_view s, StreamId* id, uint64_t missing_seq,
                              bool strict) {
  if (parse_stream_id(s, id, missing_seq, strict, nullptr)) return true;
  c.out.error("ERR Invalid stream ID specified as stream command argument");
  return false;
}

namespace {

// streamParseIntervalIdOrReply: "(id" is exclusive (and strict).
bool parse_interval(CommandContext& c, std::string_view s, StreamId* id, bool* exclusive, uint64_t missing_seq) {
  *exclusive = s.size() > 1 && s[0] == '(';
  if (*exclusive) return parse_stream_id_or_reply(c, s.substr(1), id, missing_seq, true);
  return parse_stream_id_or_reply(c, s, id, missing_seq, false);
}

}  // namespace

bool parse_range_start_or_reply(CommandContext& c, std::string_view s, StreamId* id) {
  bool exclusive;
  if (!parse_interval(c, s, id, &exclusive, 0)) return false;
  if (exclusive && !id->incr()) {
    c.out.error("ERR invalid start ID for the interval");
    return false;
  }
  return true;
}

bool parse_range_end_or_reply(CommandContext& c, std::string_view s, StreamId* id) {
  bool exclusive;
  if (!parse_interval(c, s, id, &exclusive, UINT64_MAX)) return false;
  if (exclusive && !id->decr()) {
    c.out.error("ERR invalid end ID for the interval");
    return false;
  }
  return true;
}

bool stream_at(CommandContext& c, std::string_view key, bool for_read, Stream* s, const Blob** blob) {
  const Blob* b = for_read ? lookup_for_read(c, key) : c.db().lookup(*c.tx, key);
  *blob = b;
  if (b == nullptr) return true;
  if (b->type() != ValueType::kStream) {
    c.out.error(kWrongTypeError);
    return false;
  }
  *s = Stream::from_body(b->view());
  return true;
}

bool store_stream(CommandContext& c, std::string_view key, const Stream& s, const Blob* old) {
  const store::OpStatus st = c.db().put(*c.tx, key, ValueType::kStream, s.body_bytes(), old ? old->expire_at_ms() : 0);
  if (st != store::OpStatus::kOk) {
    reply_status(c.out, st);
    return false;
  }
  // Clients blocked in XREAD or XREADGROUP on the key re-check it (blocking.h).
  blocking_key_ready(c, key, c.client.db);
  return true;
}

void reply_stream_id(Reply& out, StreamId id) { out.bulk(id.text()); }

void reply_stream_entry(Reply& out, const store::StreamEntry& e) {
  out.array(2);
  reply_stream_id(out, e.id);
  out.array(e.fields.size());
  for (std::string_view f : e.fields) out.bulk(f);
}

uint64_t reply_stream_range(Reply& out, const Stream& s, StreamId start, StreamId end, uint64_t count, bool rev) {
  if (start > end) {
    out.array(0);
    return 0;
  }
  const uint64_t from = s.lower_bound(start);
  uint64_t to = s.lower_bound(end);  // first past the range, once end itself is counted
  if (to < s.length() && s.id_at(to) == end) ++to;
  uint64_t n = to > from ? to - from : 0;
  if (count > 0 && n > count) n = count;
  out.array(n);
  for (uint64_t i = 0; i < n; ++i) reply_stream_entry(out, s.entry_at(rev ? to - 1 - i : from + i));
  return n;
}


bool stream_range_has_tombstones(const Stream& s, StreamId start) {
  const StreamId deleted = s.max_deleted_id();
  if (s.length() == 0 || deleted.is_zero()) return false;
  if (s.first_id() > deleted) return false;
  return start <= deleted;
}

std::optional<int64_t> stream_group_lag(const Stream& s, const StreamGroup& g) {
  if (s.entries_added() == 0) return 0;
  if (g.entries_read != -1 && !stream_range_has_tombstones(s, g.last_id)) {
    return static_cast<int64_t>(s.entries_added()) - g.entries_read;
  }
  const int64_t read = s.estimate_distance(g.last_id);
  if (read == -1) return std::nullopt;
  return static_cast<int64_t>(s.entries_added()) - read;
}

void reply_subcommand_syntax(CommandContext& c, std::string_view container) {
  c.out.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(c.arg(1).substr(0, 128)) +
              "'. Try " + std::string(container) + " HELP.");
}

std::string c_text(std::string_view s) { return std::string(s.substr(0, s.find('\0'))); }

void reply_nogroup(CommandContext& c, std::string_view key, std::string_view group, std::string_view suffix) {
  c.out.error("NOGROUP No such key '" + c_text(key) + "' or consumer group '" + c_text(group) + "'" +
              std::string(suffix));
}

}  // namespace tmkv::server
