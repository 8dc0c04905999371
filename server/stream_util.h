// What the stream commands (cmd_streams.cc, cmd_stream_groups.cc) share:
// Redis 7.0's stream ID syntax, the key lookup, the entry replies and the
// consumer-group bookkeeping that XINFO and XREADGROUP both need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/command.h"
#include "store/blob.h"
#include "store/stream_value.h"

namespace tmkv::server {

using store::Stream;
using store::StreamId;

// Redis's streamGenericParseIDOrReply: "ms-seq", "ms" (seq = missing_seq),
// and unless `strict`, "-" and "+". With seq_given non-null (XADD), "ms-*"
// parses with *seq_given = false. Numbers follow Redis's string2ull. False
// on anything else, with no reply.
bool parse_stream_id(std::string_view s, StreamId* id, uint64_t missing_seq, bool strict, bool* seq_given);
// The same, replying "ERR Invalid stream ID specified as stream command
// argument" on failure.
bool parse_stream_id_or_reply(CommandContext& c, std::string_view s, StreamId* id, uint64_t missing_seq,
                              bool strict);
// Redis's streamParseIntervalIdOrReply plus the increment (start) or
// decrement (end) of an exclusive "(id", with Redis's errors.
bool parse_range_start_or_reply(CommandContext& c, std::string_view s, StreamId* id);
bool parse_range_end_or_reply(CommandContext& c, std::string_view s, StreamId* id);

// The stream at key: *s stays a new empty stream and *blob nullptr if the
// key is absent. False, after replying WRONGTYPE, if it holds another type.
// `for_read`: a read's lookup (a keyspace hit or miss).
bool stream_at(CommandContext& c, std::string_view key, bool for_read, Stream* s, const store::Blob** blob);
// Stores the stream at key, keeping the key's expiry (old's). A stream is
// kept when it is empty, as in Redis. False after replying an error.
bool store_stream(CommandContext& c, std::string_view key, const Stream& s, const store::Blob* old);

void reply_stream_id(Reply& out, StreamId id);
// [id, [field, value, ...]]
void reply_stream_entry(Reply& out, const store::StreamEntry& e);
// Entries with start <= id <= end, ascending (or descending from end when
// `rev`), at most `count` of them (0: all). Returns how many.
uint64_t reply_stream_range(Reply& out, const Stream& s, StreamId start, StreamId end, uint64_t count, bool rev);

// Redis's streamRangeHasTombstones over [start, max].
bool stream_range_has_tombstones(const Stream& s, StreamId start);
// XINFO's lag of group g (negative if ENTRIESREAD claimed more than was
// added, as Redis shows it), or nullopt where Redis answers nil.
std::optional<int64_t> stream_group_lag(const Stream& s, const store::StreamGroup& g);

// Redis's addReplySubcommandSyntaxError for XGROUP and XINFO ("ERR unknown
// subcommand or wrong number of arguments for 'sub'. Try XGROUP HELP.").
void reply_subcommand_syntax(CommandContext& c, std::string_view container);
// A name as Redis's "%s" prints it in an error: up to its first NUL.
std::string c_text(std::string_view s);
// "-NOGROUP No such key 'k' or consumer group 'g'" + `suffix`.
void reply_nogroup(CommandContext& c, std::string_view key, std::string_view group, std::string_view suffix = "");

}  // namespace tmkv::server
