// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest
// common subsequence of two strings, with Redis 7's replies and its limit.
//
// The classic dynamic program: a table of (|a|+1) x (|b|+1) lengths, then a
// walk back from its corner that yields the subsequence (filled from its
// end) and the matching ranges, longest offsets first, as Redis emits them.
// The table is transient memory the client chooses the size of, so, as in
// Redis, it may not exceed proto-max-bulk-len bytes.
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

struct MatchRange {
  uint32_t a_start, a_end, b_start, b_end;
};

struct LcsOptions {
  bool len = false, idx = false, with_match_len = false;
  int64_t min_match_len = 0;
};

bool parse_lcs_options(CommandContext& c, LcsOptions* o) {
  for (size_t i = 3; i < c.argc(); ++i) {
    const bool more = i + 1 < c.argc();
    if (equals_ci(c.arg(i), "idx")) {
      o->idx = true;
    } else if (equals_ci(c.arg(i), "len")) {
      o->len = true;
    } else if (equals_ci(c.arg(i), "withmatchlen")) {
      o->with_match_len = true;
    } else if (equals_ci(c.arg(i), "minmatchlen") && more) {
      if (!get_ll_or_reply(c.out, c.arg(++i), &o->min_match_len)) return false;
      if (o->min_match_len < 0) o->min_match_len = 0;
    } else {
      c.out.syntax_error();
      return false;
    }
  }
  if (o->idx && o->len) {
    c.out.error("ERR If you want both the length and indexes, please just use IDX.");
    return false;
  }
  return true;
}

void cmd_lcs(CommandContext& c) {
  // Redis looks both keys up before it parses the options.
  const store::Blob* ba = lookup_for_read(c, c.arg(1));
  const store::Blob* bb = lookup_for_read(c, c.arg(2));
  if ((ba != nullptr && ba->type() != store::ValueType::kString) ||
      (bb != nullptr && bb->type() != store::ValueType::kString)) {
    c.out.error("ERR The specified keys must contain string values");
    return;
  }
  LcsOptions opt;
  if (!parse_lcs_options(c, &opt)) return;
  const std::string_view a = ba != nullptr ? ba->view() : std::string_view();
  const std::string_view b = bb != nullptr ? bb->view() : std::string_view();
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    c.out.error("ERR String too long for LCS");
    return;
  }
  const size_t alen = a.size(), blen = b.size();
  const uint64_t cells = static_cast<uint64_t>(alen + 1) * (blen + 1);
  const uint64_t bytes = cells * sizeof(uint32_t);
  if (bytes > c.server.limits().proto_max_bulk_len.load(std::memory_order_relaxed)) {
    c.out.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  std::vector<uint32_t> table;
  try {
    table.resize(cells);
  } catch (const std::bad_alloc&) {
    c.out.error("ERR Insufficient memory, failed allocating transient memory for LCS");
    return;
  }
  // at(i, j): LCS length of a[0, i) and b[0, j). Row 0 and column 0 stay 0.
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[j + i * (blen + 1)]; };
  for (size_t i = 1; i <= alen; ++i) {
    for (size_t j = 1; j <= blen; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  const uint32_t total = at(alen, blen);
  if (opt.len) {
    c.out.integer(total);
    return;
  }
  // Walk back from the corner. A range grows while matches stay diagonal
  // and is emitted when the walk leaves it or reaches either string's start.
  std::string subsequence(total, '\0');
  std::vector<MatchRange> ranges;
  size_t i = alen, j = blen, fill = total;
  bool in_range = false;
  MatchRange cur{};
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      subsequence[--fill] = a[i - 1];
      if (!in_range) {
        cur = MatchRange{static_cast<uint32_t>(i - 1), static_cast<uint32_t>(i - 1), static_cast<uint32_t>(j - 1),
                         static_cast<uint32_t>(j - 1)};
        in_range = true;
      } else {
        --cur.a_start;  // the walk is diagonal: this match extends the range backwards
        --cur.b_start;
      }
      if (cur.a_start == 0 || cur.b_start == 0) emit = true;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      emit = in_range;
    }
    if (emit) {
      const uint64_t match_len = cur.a_end - cur.a_start + 1;
      if (opt.min_match_len == 0 || match_len >= static_cast<uint64_t>(opt.min_match_len)) ranges.push_back(cur);
      in_range = false;
    }
  }
  if (!opt.idx) {
    c.out.bulk(subsequence);
    return;
  }
  c.out.map(2);
  c.out.bulk("matches");
  c.out.array(ranges.size());
  for (const MatchRange& r : ranges) {
    c.out.array(opt.with_match_len ? 3 : 2);
    c.out.array(2);
    c.out.integer(r.a_start);
    c.out.integer(r.a_end);
    c.out.array(2);
    c.out.integer(r.b_start);
    c.out.integer(r.b_end);
    if (opt.with_match_len) c.out.integer(r.a_end - r.a_start + 1);
  }
  c.out.bulk("len");
  c.out.integer(total);
}

}  // namespace

void register_lcs_command(std::vector<CommandSpec>& t) {
  t.push_back({"lcs", -3, kTransactional | kReadOnly, 1, 2, 1, "string", "Finds the longest common substring.", cmd_lcs});
}

}  // namespace tmkv::server
