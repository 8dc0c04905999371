// What the sorted-set command files (cmd_zsets.cc, cmd_zset_ops.cc) share:
// finding and storing a key's sorted set, and Redis's score syntax.
#pragma once

#include <optional>
#include <string_view>

#include "server/command.h"
#include "store/blob.h"
#include "store/zset_value.h"

namespace tmkv::server {

// The sorted set at key, as this transaction sees it: *z stays empty if the
// key is absent (*blob says which: nullptr). False, after replying
// WRONGTYPE, if the key holds another type. `for_read`: a read's lookup (a
// keyspace hit or miss, lookup_for_read).
bool zset_at(CommandContext& c, std::string_view key, bool for_read, store::ZSet* z, const store::Blob** blob);

// Stores the new version at key, keeping the key's expiry (old's; pass
// `keep_expiry` false for a destination that is replaced whole, as
// ZUNIONSTORE's). An empty set deletes the key and tells "del", as Redis.
// A new set signals blocked clients (BZPOPMIN ...). False after replying an
// error.
bool store_zset(CommandContext& c, std::string_view key, const store::ZSet& z, const store::Blob* old,
                bool keep_expiry = true);

// Redis's score syntax (strtod: "inf", "+inf", "-inf", exponents, hex
// floats; surrounding spaces refused; NaN refused): nullopt when invalid.
std::optional<double> parse_score(std::string_view s);

}  // namespace tmkv::server
