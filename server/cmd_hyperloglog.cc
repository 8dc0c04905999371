// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE and PFDEBUG, with Redis
// 7.0's replies, errors, keyspace events and lookups (which ones count as
// keyspace hits and misses). The value is a string in Redis's own layout
// (hyperloglog.h).
//
// Each command is one transaction, like every tmkv command: PFCOUNT of
// several keys estimates the union of one consistent snapshot, and PFMERGE
// reads its sources and writes its destination atomically, with any other
// connection's writes before or after, never between. PFCOUNT of one key
// refreshes the cached estimate stored in the value, so it is a write (as
// in Redis, where it also signals the key modified: WATCH sees it).
#include <chrono>
#include <optional>
#include <string>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/hyperloglog.h"
#include "server/keyspace_events.h"
#include "server/server.h"
#include "server/tracking.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::OpStatus;
using store::ValueType;

constexpr const char* kNotHllError = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr const char* kCorruptError = "INVALIDOBJ Corrupted HLL object detected";

size_t sparse_max_bytes(const CommandContext& c) {
  return c.server.limits().hll_sparse_max_bytes.load(std::memory_order_relaxed);
}

// The HyperLogLog at key: *blob = nullptr if absent. False after replying
// WRONGTYPE: Redis's usual one for another type, its HyperLogLog one for a
// string that is not one. `for_read`: a read's lookup (keyspace hit/miss).
bool lookup_hll_or_reply(CommandContext& c, std::string_view key, const Blob** blob, bool for_read) {
  if (!lookup_string_or_reply(c, key, blob, for_read)) return false;
  if (*blob != nullptr && !hll::looks_like_hll((*blob)->view())) {
    c.out.error(kNotHllError);
    return false;
  }
  return true;
}

// Stores `value` at key, keeping the key's expiry (`old`'s, if it existed).
bool store_hll(CommandContext& c, std::string_view key, const std::string& value, const Blob* old) {
  const OpStatus s = c.db().put(*c.tx, key, ValueType::kString, value, old ? old->expire_at_ms() : 0);
  if (s != OpStatus::kOk) {
    reply_status(c.out, s);
    return false;
  }
  return true;
}

// PFADD key [element ...]: 1 if the key was created or a register rose.
void cmd_pfadd(CommandContext& c) {
  const Blob* b;
  if (!lookup_hll_or_reply(c, c.arg(1), &b, false)) return;
  std::string hll = b ? std::string(b->view()) : hll::make_empty();
  int updated = b ? 0 : 1;
  const size_t max_bytes = sparse_max_bytes(c);
  for (size_t i = 2; i < c.argc(); ++i) {
    const hll::Change r = hll::add(&hll, c.arg(i), max_bytes);
    if (r == hll::Change::kCorrupt) {
      // Redis changes the value in place, element by element: what the
      // elements before this one did stays, without an event.
      if (updated > 0) store_hll(c, c.arg(1), hll, b);
      c.out.error(kCorruptError);
      return;
    }
    if (r == hll::Change::kChanged) ++updated;
  }
  if (updated > 0) {
    hll::invalidate_cached_count(&hll);
    if (!store_hll(c, c.arg(1), hll, b)) return;
    notify_keyspace_event(c, kNotifyString, "pfadd", c.arg(1));
  }
  c.out.integer(updated > 0 ? 1 : 0);
}

// PFCOUNT key [key ...]: the estimate of one HyperLogLog (cached in it), or
// of the union of several (not cached anywhere).
void cmd_pfcount(CommandContext& c) {
  if (c.argc() > 2) {
    hll::Registers max{};
    for (size_t i = 1; i < c.argc(); ++i) {
      const Blob* b;
      if (!lookup_hll_or_reply(c, c.arg(i), &b, true)) return;
      if (b == nullptr) continue;
      if (!hll::merge_into(&max, b->view())) {
        c.out.error(kCorruptError);
        return;
      }
    }
    c.out.integer(static_cast<int64_t>(hll::count_registers(max)));
    return;
  }
  const Blob* b;
  if (!lookup_hll_or_reply(c, c.arg(1), &b, true)) return;
  if (b == nullptr) {
    c.out.integer(0);
    return;
  }
  if (const auto cached = hll::cached_count(b->view())) {
    c.out.integer(static_cast<int64_t>(*cached));
    return;
  }
  const auto estimate = hll::count(b->view());
  if (!estimate) {
    c.out.error(kCorruptError);
    return;
  }
  std::string hll(b->view());
  hll::store_cached_count(&hll, *estimate);
  if (!store_hll(c, c.arg(1), hll, b)) return;
  tracking_note_write(c, c.arg(1));  // Redis signals the cache update as a change (no keyspace event)
  c.out.integer(static_cast<int64_t>(*estimate));
}

// PFMERGE destkey [sourcekey ...]: destkey becomes the union of itself and
// the sources; dense if any of them is.
void cmd_pfmerge(CommandContext& c) {
  hll::Registers max{};
  bool dense = false;
  for (size_t i = 1; i < c.argc(); ++i) {  // the destination is an input too
    const Blob* b;
    if (!lookup_hll_or_reply(c, c.arg(i), &b, true)) return;
    if (b == nullptr) continue;
    if (hll::encoding_of(b->view()) == hll::kDense) dense = true;
    if (!hll::merge_into(&max, b->view())) {
      c.out.error(kCorruptError);
      return;
    }
  }
  const Blob* dest;
  if (!lookup_string_or_reply(c, c.arg(1), &dest, false)) return;  // checked above: a HyperLogLog or absent
  std::string hll = dest ? std::string(dest->view()) : hll::make_empty();
  if (dense && !hll::to_dense(&hll)) {
    c.out.error(kCorruptError);
    return;
  }
  const size_t max_bytes = sparse_max_bytes(c);
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    if (max[i] != 0) hll::raise_register(&hll, i, max[i], max_bytes);
  }
  hll::invalidate_cached_count(&hll);
  if (!store_hll(c, c.arg(1), hll, dest)) return;
  // Redis tells "pfadd" for PFMERGE too.
  notify_keyspace_event(c, kNotifyString, "pfadd", c.arg(1));
  c.out.ok();
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: Redis's debugging view of a
// HyperLogLog. GETREG and TODENSE convert a sparse value to dense, as there.
// Not a container in Redis: the key is checked before the subcommand, and
// statistics count "pfdebug" alone.
void cmd_pfdebug(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(2), &b, false)) return;
  if (b == nullptr) {
    c.out.error("ERR The specified key does not exist");
    return;
  }
  if (!hll::looks_like_hll(b->view())) {
    c.out.error(kNotHllError);
    return;
  }
  std::string hll(b->view());
  if (sub != "getreg" && sub != "todense" && sub != "decode" && sub != "encoding") {
    c.out.error("ERR Unknown PFDEBUG subcommand '" + std::string(c.arg(1)) + "'");
    return;
  }
  if (sub == "getreg" || sub == "todense") {
    const bool convert = hll::encoding_of(hll) == hll::kSparse;
    if (convert) {
      if (!hll::to_dense(&hll)) {
        c.out.error(kCorruptError);
        return;
      }
      if (!store_hll(c, c.arg(2), hll, b)) return;
    }
    if (sub == "todense") {
      c.out.integer(convert ? 1 : 0);
      return;
    }
    c.out.array(hll::kRegisters);
    for (uint32_t i = 0; i < hll::kRegisters; ++i) c.out.integer(hll::dense_register(hll, i));
  } else if (sub == "decode") {
    if (hll::encoding_of(hll) != hll::kSparse) {
      c.out.error("ERR HLL encoding is not sparse");
      return;
    }
    c.out.bulk(hll::decode_sparse(hll));
  } else {  // encoding
    c.out.simple(hll::encoding_of(hll) == hll::kDense ? "dense" : "sparse");
  }
}

// PFSELFTEST: hll::self_test, with a seed from the clock (Redis seeds its
// own from rand()). Takes a second or two on the calling thread, as it
// blocks Redis; it is an admin command.
void cmd_pfselftest(CommandContext& c) {
  const auto seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  if (std::optional<std::string> failed = hll::self_test(sparse_max_bytes(c), seed)) {
    c.out.error("TESTFAILED " + *failed);
    return;
  }
  c.out.ok();
}

}  // namespace

void register_hyperloglog_commands(std::vector<CommandSpec>& t) {
  const uint32_t W = kTransactional | kWrite | kDenyOom;
  t.push_back({"pfadd", -2, W | kFast, 1, 1, 1, "hyperloglog",
               "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.", cmd_pfadd});
  // Read-only for Redis, but it may store the refreshed estimate.
  t.push_back({"pfcount", -2, kTransactional | kMayReplicate, 1, -1, 1, "hyperloglog",
               "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).", cmd_pfcount});
  t.push_back({"pfmerge", -2, W, 1, -1, 1, "hyperloglog", "Merges one or more HyperLogLog values into a single key.",
               cmd_pfmerge});
  t.push_back({"pfdebug", 3, W | kAdmin, 2, 2, 1, "hyperloglog", "Internal commands for debugging HyperLogLog values.",
               cmd_pfdebug});
  t.push_back({"pfselftest", 1, kAdmin, 0, 0, 0, "hyperloglog", "An internal command for testing HyperLogLog values.",
               cmd_pfselftest});
}

}  // namespace tmkv::server
