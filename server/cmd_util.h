// Small parsing and reply helpers shared by the command files.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/command.h"
#include "store/blob.h"
#include "store/hash_value.h"

namespace tmkv::server {

// Redis's strict integer syntax (store/int_codec.h).
std::optional<int64_t> parse_ll(std::string_view s);

// Splits as Redis's argument splitter (sdssplitargs) does for FUNCTION
// LOAD's shebang and REPLCONF rdb-filter-only: blanks between words;
// "..." with backslash escapes, '...' with \' only; a closing quote must
// end the word. False on unbalanced quotes.
bool split_redis_args(std::string_view s, std::vector<std::string>* out);
// Replies "ERR value is not an integer or out of range" when not an integer.
bool get_ll_or_reply(Reply& out, std::string_view s, int64_t* v);
// Redis's getIntFromObjectOrReply: an integer in C int's range; replies
// Redis's error for a non-integer or one out of that range.
bool get_int_or_reply(Reply& out, std::string_view s, int64_t* v);
// A container's HELP reply: one simple string per line, as Redis sends it.
void reply_help(Reply& out, std::span<const char* const> lines);
// A database index argument (SELECT, MOVE, COPY ... DB): a C int, then in
// range; replies Redis's error and returns false otherwise.
bool get_db_index_or_reply(CommandContext& c, std::string_view arg, unsigned* db);
// Redis's string2ld: a long double, no leading space, no NaN.
std::optional<long double> parse_ld(std::string_view s);
// Redis's human-friendly long double text (INCRBYFLOAT's reply).
std::string format_ld(long double v);

// Expiry argument: `value` in `unit_ms` (1000 for seconds, 1 for ms),
// absolute or relative to now. Replies Redis's error (naming `command`) and
// returns false if invalid. Sets *at_ms to the absolute time.
bool parse_expire_or_reply(Reply& out, std::string_view value, int64_t unit_ms, bool absolute, int64_t now_ms,
                           std::string_view command, int64_t* at_ms);

// A read command's lookup of key in the client's db (inside c.tx): like
// Store::lookup, and counts a keyspace hit or miss when the transaction
// commits. Redis counts the lookups of reads only (GET, MGET, EXISTS, TYPE,
// TTL, SET ... GET, GETDEL, COPY's source ...), not those of writes (INCR,
// APPEND, RENAME, EXPIRE ...); handlers follow the same split.
// A miss also tells the "keymiss" keyspace event, unless !notify_miss
// (OBJECT's lookups, as Redis's LOOKUP_NONOTIFY).
const store::Blob* lookup_for_read(CommandContext& c, std::string_view key, bool notify_miss = true);

// Redis's WRONGTYPE error.
inline constexpr const char* kWrongTypeError = "WRONGTYPE Operation against a key holding the wrong kind of value";

// The string at key: *blob = nullptr if absent. False, after replying
// WRONGTYPE, if the key holds another type. `for_read`: the lookup of a
// read (lookup_for_read: counts a keyspace hit or miss).
bool lookup_string_or_reply(CommandContext& c, std::string_view key, const store::Blob** blob, bool for_read);


// The hash or set (`type`) at key, as this transaction sees it: *h stays
// empty if the key is absent (*blob, if given, says which: nullptr). False,
// after replying WRONGTYPE, if the key holds another type. `for_read`: a
// read's lookup (lookup_for_read: a keyspace hit or miss).
bool trie_at(CommandContext& c, std::string_view key, store::ValueType type, bool for_read, store::Hash* h,
             const store::Blob** blob = nullptr);
// Stores the new version of the hash or set at key, keeping the key's
// expiry (old's); an empty one deletes the key, as in Redis. False after
// replying an error.
bool store_trie(CommandContext& c, std::string_view key, store::ValueType type, const store::Hash& h,
                const store::Blob* old);

// HDEL and SREM: removes arguments 2.. from the hash or set (`type`) at
// key; if any was there, stores the rest (an empty one deletes the key) and
// tells `event` (class `notify_class`), then "del" once emptied, as Redis.
// Replies how many were removed (0 for an absent key), or an error.
void erase_from_trie(CommandContext& c, store::ValueType type, uint32_t notify_class, const char* event);

// Records that key (in db) became a non-empty list or sorted set in this
// transaction (one a blocking pop could serve): once it commits, the first
// client blocked on the key is woken (server/blocking.h) and re-runs its
// command; one that finds another type there blocks again.
void blocking_key_ready(CommandContext& c, std::string_view key, unsigned db);

// After a write command ran (top level, inside EXEC or from a script): if
// any client is blocked, its keys are marked as blocking_key_ready does,
// so clients blocked on them re-check once it commits. That is how a
// blocked XREADGROUP learns that DEL, SET or any other write removed or
// replaced its stream (Redis answers it "UNBLOCKED the stream key no longer
// exists"); a waiter with nothing new simply blocks again. The count is
// read relaxed: a client blocking at that very moment may miss this wake,
// and then waits for the key's next write, as before this existed; no
// data depends on it, only how soon such a client hears.
void wake_waiters_on_written_keys(CommandContext& c, const CommandSpec& spec);

// HSCAN and SSCAN up to their walk: the cursor, then the key's hash or set
// (`type`; a read lookup), then MATCH and COUNT, in Redis's order: a missing
// key answers an empty scan before the options are looked at. False when it
// has replied (an error, or that empty scan).
struct CollectionScan {
  uint64_t cursor = 0;
  std::optional<std::string_view> pattern;  // MATCH; none: everything
  size_t count = 10;                        // COUNT, at most 2^20
  store::Hash value;
  bool matches(std::string_view s) const;
};
bool begin_collection_scan(CommandContext& c, store::ValueType type, CollectionScan* scan);
// The options of HSCAN, SSCAN and ZSCAN (Redis's scanGenericCommand): MATCH
// and COUNT (an integer >= 1) in pairs from argument 3; false after
// replying an error.
bool parse_scan_options_or_reply(CommandContext& c, CollectionScan* scan);

// This thread's random generator (HRANDFIELD, SRANDMEMBER, SPOP).
std::mt19937_64& random_engine();
// `digits` lower-case hex digits from the kernel's CSPRNG (getrandom), for
// what must not be guessable: ACL GENPASS's passwords and the run and
// replication ids. False if the kernel gave no random bytes.
bool random_hex(size_t digits, std::string* out);
// `n` distinct positions in 0..size-1 (n < size), in random order: a
// shuffle when they are most of the range, rejection sampling otherwise.
std::vector<uint64_t> distinct_positions(uint64_t n, uint64_t size);

// The most entries HRANDFIELD, SRANDMEMBER and ZRANDMEMBER build for a
// negative count (repeats allowed): the reply is built inside the
// transaction, and a bound keeps one request from growing the server without
// limit. Redis has none; 10M entries is far beyond any use of a random sample.
inline constexpr uint64_t kMaxRandomReplyEntries = 10'000'000;
// The array header of an HRANDFIELD/ZRANDMEMBER reply of n entries: flat
// pairs in RESP2 when `with_pairs` (WITHVALUES, WITHSCORES), n pairs in RESP3.
void reply_random_header(CommandContext& c, uint64_t n, bool with_pairs);

// A SCAN-family cursor: an unsigned 64-bit decimal; replies "ERR invalid
// cursor" and returns false otherwise.
bool parse_cursor_or_reply(Reply& out, std::string_view s, uint64_t* cursor);

// Redis's glob matching (util.c stringmatchlen), for KEYS and SCAN MATCH.
bool glob_match(std::string_view pattern, std::string_view s, bool nocase = false);

// Redis's getRangeLongFromObjectOrReply: an integer in [lo, hi], else the
// error `message` (with "ERR "), or Redis's own texts when it is nullptr.
bool get_range_or_reply(CommandContext& c, std::string_view arg, int64_t lo, int64_t hi, const char* message,
                        int64_t* v);
// A blocking command's timeout in seconds (Redis 7.0's
// getTimeoutFromObjectOrReply): *ms rounded up, 0 for ever; replies the
// error and returns false otherwise.
bool parse_timeout_or_reply(CommandContext& c, std::string_view arg, int64_t* ms);
// Redis 7.0's getTimeoutFromObjectOrReply in milliseconds (WAIT, CLIENT
// PAUSE): an integer, not negative; replies the error and returns false
// otherwise.
bool parse_ms_timeout_or_reply(CommandContext& c, std::string_view arg, int64_t* ms);
// A non-negative wait in milliseconds as a block request holds it: past a
// century, 0 (for ever), where the timer's arithmetic would overflow.
int64_t block_timeout_ms(int64_t ms);
// The arguments LMPOP and ZMPOP share, and BLMPOP's and BZMPOP's after
// their timeout: numkeys key [key ...] WHERE [COUNT count], in Redis 7.0's
// order (numkeys, then WHERE through `parse_where`, which replies its own
// error, then COUNT, then the timeout at `timeout_at` if it is not 0).
// False after replying an error.
struct MultiPopArgs {
  std::span<const std::string_view> keys;
  int64_t count = 1;
  int64_t timeout_ms = 0;
};
bool parse_multi_pop_or_reply(CommandContext& c, size_t numkeys_at, size_t timeout_at,
                              const std::function<bool(std::string_view)>& parse_where, MultiPopArgs* out);
// A blocking command found nothing to pop: inside EXEC or a script replies
// the null (array if null_array) at once, as Redis does not block there;
// otherwise asks the connection to block on `keys` (server/blocking.h).
void block_or_reply_null(CommandContext& c, std::vector<std::string> keys, int64_t timeout_ms, bool null_array);

}  // namespace tmkv::server
