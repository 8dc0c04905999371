// Bitmap commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS,
// BITOP, BITFIELD and BITFIELD_RO, with Redis 7.0's semantics, error texts
// and order of checks (which argument is parsed, and which key looked up,
// before which error).
//
// Bit numbering is Redis's: bit 0 is the most significant bit of byte 0.
// Reads past the end of a string see zero bits; writes past it grow the
// string with zero bytes, up to proto-max-bulk-len.
//
// Cost, declared: a tmkv value is immutable once committed (the STM swaps
// whole values), so a write copies the string. SETBIT on an N-byte bitmap is
// O(N) here, where Redis changes one byte in place.
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/keyspace_events.h"
#include "server/server.h"

namespace tmkv::server {
namespace {

using store::Blob;
using store::OpStatus;
using store::ValueType;

const char* kBadOffset = "ERR bit offset is not an integer or out of range";

// ---- Parsing -----------------------------------------------------------------

// Redis's getBitOffsetFromArgument. `bits` > 0 allows BITFIELD's "#n" form
// (n times the field width).
bool get_bit_offset_or_reply(CommandContext& c, std::string_view arg, int bits, uint64_t* offset) {
  const bool hash = bits > 0 && !arg.empty() && arg[0] == '#';
  auto v = parse_ll(hash ? arg.substr(1) : arg);
  if (!v) {
    c.out.error(kBadOffset);
    return false;
  }
  int64_t off = *v;
  if (hash) {
    if (__builtin_mul_overflow(off, static_cast<int64_t>(bits), &off)) {
      c.out.error(kBadOffset);
      return false;
    }
  }
  // Redis limits the offset to proto-max-bulk-len bytes.
  if (off < 0 || static_cast<uint64_t>(off >> 3) >= c.db().max_value_bytes()) {
    c.out.error(kBadOffset);
    return false;
  }
  *offset = static_cast<uint64_t>(off);
  return true;
}

// Writes `v` at key, keeping the key's expiry (Redis changes the string in
// place). False, having replied, if the store refused.
bool store_bits(CommandContext& c, std::string_view key, const std::string& v, const Blob* old) {
  const OpStatus s = c.db().put(*c.tx, key, ValueType::kString, v, old != nullptr ? old->expire_at_ms() : 0);
  if (s != OpStatus::kOk) {
    reply_status(c.out, s);
    return false;
  }
  return true;
}

// ---- Bit access (Redis's order: bit 0 is byte 0's most significant) -------------

bool bit_at(std::string_view s, uint64_t bit) {
  const uint64_t byte = bit >> 3;
  return byte < s.size() && (static_cast<uint8_t>(s[byte]) >> (7 - (bit & 7)) & 1) != 0;
}

void set_bit_at(std::string& s, uint64_t bit, bool on) {
  auto& byte = reinterpret_cast<uint8_t&>(s[bit >> 3]);
  const uint8_t mask = static_cast<uint8_t>(1u << (7 - (bit & 7)));
  byte = on ? (byte | mask) : (byte & ~mask);
}

uint64_t popcount_bytes(const uint8_t* p, size_t n) {
  uint64_t count = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    count += static_cast<uint64_t>(std::popcount(w));
  }
  for (; n > 0; ++p, --n) count += static_cast<uint64_t>(std::popcount(static_cast<unsigned>(*p)));
  return count;
}

// A [start, end] range as BITCOUNT and BITPOS take it, in bytes or bits,
// negative counting from the end, clamped to the string as Redis clamps it.
// Returns false when the range is empty. *first and *last are bit indexes.
bool clamp_range(int64_t start, int64_t end, int64_t total, uint64_t unit_bits, uint64_t* first, uint64_t* last) {
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return false;
  *first = static_cast<uint64_t>(start) * unit_bits;
  *last = static_cast<uint64_t>(end) * unit_bits + (unit_bits - 1);
  return true;
}

// Parses BYTE|BIT (Redis 7). False after replying a syntax error.
bool parse_unit(CommandContext& c, std::string_view arg, bool* bit_unit) {
  if (equals_ci(arg, "bit")) {
    *bit_unit = true;
  } else if (equals_ci(arg, "byte")) {
    *bit_unit = false;
  } else {
    c.out.syntax_error();
    return false;
  }
  return true;
}

// ---- SETBIT / GETBIT ------------------------------------------------------------

void cmd_setbit(CommandContext& c) {
  uint64_t offset;
  if (!get_bit_offset_or_reply(c, c.arg(2), 0, &offset)) return;
  auto on = parse_ll(c.arg(3));
  if (!on || (*on & ~int64_t{1}) != 0) {
    c.out.error("ERR bit is not an integer or out of range");
    return;
  }
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, false)) return;
  const std::string_view old = b != nullptr ? b->view() : std::string_view();
  const bool was = bit_at(old, offset);
  const size_t need = static_cast<size_t>(offset >> 3) + 1;
  // As Redis: a key created or grown, or a bit that changes, is a write
  // (WATCH and keyspace events see it); setting a bit to what it is is not.
  if (b == nullptr || old.size() < need || was != (*on == 1)) {
    std::string v(old);
    if (v.size() < need) v.resize(need, '\0');
    set_bit_at(v, offset, *on == 1);
    if (!store_bits(c, c.arg(1), v, b)) return;
    notify_keyspace_event(c, kNotifyString, "setbit", c.arg(1));
  }
  c.out.integer(was ? 1 : 0);
}

void cmd_getbit(CommandContext& c) {
  uint64_t offset;
  if (!get_bit_offset_or_reply(c, c.arg(2), 0, &offset)) return;
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, true)) return;
  c.out.integer(b != nullptr && bit_at(b->view(), offset) ? 1 : 0);
}

// ---- BITCOUNT ---------------------------------------------------------------

// BITCOUNT key [start end [BYTE|BIT]]. Redis looks the key up first: a
// missing key answers 0 whatever the arguments.
void cmd_bitcount(CommandContext& c) {
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, true)) return;
  if (b == nullptr) {
    c.out.integer(0);
    return;
  }
  const std::string_view s = b->view();
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  uint64_t first = 0, last = 0;
  if (c.argc() == 4 || c.argc() == 5) {
    int64_t start, end;
    if (!get_ll_or_reply(c.out, c.arg(2), &start) || !get_ll_or_reply(c.out, c.arg(3), &end)) return;
    // Redis answers 0 here before it reads the unit.
    if (start < 0 && end < 0 && start > end) {
      c.out.integer(0);
      return;
    }
    bool bit_unit = false;
    if (c.argc() == 5 && !parse_unit(c, c.arg(4), &bit_unit)) return;
    const auto total = static_cast<int64_t>(s.size()) * (bit_unit ? 8 : 1);
    if (!clamp_range(start, end, total, bit_unit ? 1 : 8, &first, &last)) {
      c.out.integer(0);
      return;
    }
  } else if (c.argc() == 2) {
    if (s.empty()) {
      c.out.integer(0);
      return;
    }
    last = s.size() * 8 - 1;
  } else {
    c.out.syntax_error();
    return;
  }
  // Whole bytes in the middle, the partial edge bytes bit by bit.
  uint64_t count = 0;
  uint64_t bit = first;
  for (; bit <= last && (bit & 7) != 0; ++bit) count += bit_at(s, bit);
  const uint64_t whole_end = (last + 1) & ~uint64_t{7};  // first bit after the last whole byte
  if (bit < whole_end) {
    count += popcount_bytes(p + (bit >> 3), static_cast<size_t>((whole_end - bit) >> 3));
    bit = whole_end;
  }
  for (; bit <= last; ++bit) count += bit_at(s, bit);
  c.out.integer(static_cast<int64_t>(count));
}

// ---- BITPOS ---------------------------------------------------------------------

// The first bit equal to `want` in bits [first, last] of s, or -1.
int64_t find_bit(std::string_view s, bool want, uint64_t first, uint64_t last) {
  const uint8_t skip = want ? 0x00 : 0xff;  // a byte with no bit we look for
  uint64_t bit = first;
  while (bit <= last) {
    if ((bit & 7) == 0 && bit + 7 <= last && static_cast<uint8_t>(s[bit >> 3]) == skip) {
      bit += 8;
      continue;
    }
    if (bit_at(s, bit) == want) return static_cast<int64_t>(bit);
    ++bit;
  }
  return -1;
}

// BITPOS key bit [start [end [BYTE|BIT]]]
void cmd_bitpos(CommandContext& c) {
  int64_t want;
  if (!get_ll_or_reply(c.out, c.arg(2), &want)) return;
  if (want != 0 && want != 1) {
    c.out.error("ERR The bit argument must be 1 or 0.");
    return;
  }
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, true)) return;
  // A missing key is an endless run of zero bits.
  if (b == nullptr) {
    c.out.integer(want == 1 ? -1 : 0);
    return;
  }
  const std::string_view s = b->view();
  const auto len = static_cast<int64_t>(s.size());
  bool end_given = false;
  uint64_t first = 0, last = 0;
  bool nonempty;
  if (c.argc() >= 4 && c.argc() <= 6) {
    int64_t start, end;
    if (!get_ll_or_reply(c.out, c.arg(3), &start)) return;
    bool bit_unit = false;
    if (c.argc() == 6 && !parse_unit(c, c.arg(5), &bit_unit)) return;
    if (c.argc() >= 5) {
      if (!get_ll_or_reply(c.out, c.arg(4), &end)) return;
      end_given = true;
    } else {
      end = len - 1;  // only byte units reach here: BIT needs an end
    }
    nonempty = clamp_range(start, end, len * (bit_unit ? 8 : 1), bit_unit ? 1 : 8, &first, &last);
  } else if (c.argc() == 3) {
    nonempty = len > 0;
    last = static_cast<uint64_t>(len) * 8 - 1;
  } else {
    c.out.syntax_error();
    return;
  }
  // An empty range holds neither a 0 nor a 1.
  if (!nonempty) {
    c.out.integer(-1);
    return;
  }
  const int64_t pos = find_bit(s, want == 1, first, last);
  // No clear bit in the string: without an explicit end, Redis reports the
  // first bit past it (the string reads as padded with zeros).
  if (pos < 0 && want == 0 && !end_given) {
    c.out.integer(static_cast<int64_t>(last + 1));
    return;
  }
  c.out.integer(pos);
}

// ---- BITOP ----------------------------------------------------------------------

// BITOP AND|OR|XOR|NOT destkey key [key ...]: the result, as long as the
// longest source (missing bytes and keys read as zeros), replaces destkey
// without its expiry; an empty result deletes destkey.
void cmd_bitop(CommandContext& c) {
  enum class Op { kAnd, kOr, kXor, kNot } op;
  const std::string_view name = c.arg(1);
  if (equals_ci(name, "and")) {
    op = Op::kAnd;
  } else if (equals_ci(name, "or")) {
    op = Op::kOr;
  } else if (equals_ci(name, "xor")) {
    op = Op::kXor;
  } else if (equals_ci(name, "not")) {
    op = Op::kNot;
  } else {
    c.out.syntax_error();
    return;
  }
  if (op == Op::kNot && c.argc() != 4) {
    c.out.error("ERR BITOP NOT must be called with a single source key.");
    return;
  }
  std::vector<std::string_view> src;
  size_t max_len = 0;
  for (size_t i = 3; i < c.argc(); ++i) {
    const Blob* b;
    if (!lookup_string_or_reply(c, c.arg(i), &b, true)) return;
    src.push_back(b != nullptr ? b->view() : std::string_view());
    max_len = std::max(max_len, src.back().size());
  }
  const std::string_view dest = c.arg(2);
  if (max_len == 0) {
    if (c.db().del(*c.tx, dest)) notify_keyspace_event(c, kNotifyGeneric, "del", dest);
    c.out.integer(0);
    return;
  }
  std::string out(max_len, '\0');
  auto byte = [](std::string_view s, size_t i) { return i < s.size() ? static_cast<uint8_t>(s[i]) : uint8_t{0}; };
  for (size_t i = 0; i < max_len; ++i) {
    uint8_t r = byte(src[0], i);
    for (size_t k = 1; k < src.size(); ++k) {
      const uint8_t v = byte(src[k], i);
      r = op == Op::kAnd ? (r & v) : op == Op::kOr ? (r | v) : static_cast<uint8_t>(r ^ v);
    }
    out[i] = static_cast<char>(op == Op::kNot ? static_cast<uint8_t>(~r) : r);
  }
  const OpStatus s = c.db().put(*c.tx, dest, ValueType::kString, out, 0);
  if (s != OpStatus::kOk) {
    reply_status(c.out, s);
    return;
  }
  notify_keyspace_event(c, kNotifyString, "set", dest);
  c.out.integer(static_cast<int64_t>(max_len));
}

// ---- BITFIELD -------------------------------------------------------------------

enum class Overflow { kWrap, kSat, kFail };
enum class FieldOp { kGet, kSet, kIncrBy };

struct Field {
  FieldOp op;
  Overflow overflow;
  bool is_signed;
  unsigned bits;
  uint64_t offset;
  int64_t arg;  // SET's value, INCRBY's increment
};

// "i1".."i64", "u1".."u63".
bool parse_field_type(CommandContext& c, std::string_view t, bool* is_signed, unsigned* bits) {
  static const char* kErr =
      "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
  if (t.empty() || (t[0] != 'i' && t[0] != 'u')) {
    c.out.error(kErr);
    return false;
  }
  *is_signed = t[0] == 'i';
  auto n = parse_ll(t.substr(1));
  if (!n || *n < 1 || *n > (*is_signed ? 64 : 63)) {
    c.out.error(kErr);
    return false;
  }
  *bits = static_cast<unsigned>(*n);
  return true;
}

uint64_t get_field(std::string_view s, uint64_t offset, unsigned bits) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bits; ++i) v = (v << 1) | (bit_at(s, offset + i) ? 1 : 0);
  return v;
}

int64_t get_signed_field(std::string_view s, uint64_t offset, unsigned bits) {
  uint64_t v = get_field(s, offset, bits);
  if (bits < 64 && (v >> (bits - 1) & 1) != 0) v |= ~uint64_t{0} << bits;  // sign-extend
  return static_cast<int64_t>(v);
}

void set_field(std::string& s, uint64_t offset, unsigned bits, uint64_t v) {
  for (unsigned i = 0; i < bits; ++i) set_bit_at(s, offset + i, (v >> (bits - 1 - i) & 1) != 0);
}

// Redis's checkUnsignedBitfieldOverflow: whether value + incr leaves the
// field's range, and the value WRAP or SAT stores instead.
bool unsigned_overflow(uint64_t value, int64_t incr, unsigned bits, Overflow how, uint64_t* limit) {
  const uint64_t max = (uint64_t{1} << bits) - 1;  // bits <= 63
  const auto max_incr = static_cast<int64_t>(max - value);
  const auto min_incr = static_cast<int64_t>(-value);
  const bool above = value > max || (incr > 0 && incr > max_incr);
  const bool below = !above && incr < 0 && incr < min_incr;
  if (!above && !below) return false;
  if (how == Overflow::kWrap) {
    *limit = (value + static_cast<uint64_t>(incr)) & max;
  } else if (how == Overflow::kSat) {
    *limit = above ? max : 0;
  }
  return true;
}

// Redis's checkSignedBitfieldOverflow.
bool signed_overflow(int64_t value, int64_t incr, unsigned bits, Overflow how, int64_t* limit) {
  const int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  const int64_t min = -max - 1;
  // May wrap around; used only once value is known to be in range, as Redis.
  const auto max_incr = static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  const auto min_incr = static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  const bool above =
      value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr);
  const bool below =
      !above && (value < min || (bits != 64 && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr));
  if (!above && !below) return false;
  if (how == Overflow::kWrap) {
    uint64_t r = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      const uint64_t high = ~uint64_t{0} << bits;
      r = (r >> (bits - 1) & 1) != 0 ? (r | high) : (r & ~high);
    }
    *limit = static_cast<int64_t>(r);
  } else if (how == Overflow::kSat) {
    *limit = above ? max : min;
  }
  return true;
}

// Parses every operation first, as Redis does: any error leaves the key as
// it was. False after replying.
bool parse_fields(CommandContext& c, std::vector<Field>* fields, bool* read_only, uint64_t* highest_bit) {
  Overflow overflow = Overflow::kWrap;
  for (size_t j = 2; j < c.argc(); ++j) {
    const size_t rest = c.argc() - j - 1;
    const std::string_view sub = c.arg(j);
    FieldOp op;
    if (equals_ci(sub, "get") && rest >= 2) {
      op = FieldOp::kGet;
    } else if (equals_ci(sub, "set") && rest >= 3) {
      op = FieldOp::kSet;
    } else if (equals_ci(sub, "incrby") && rest >= 3) {
      op = FieldOp::kIncrBy;
    } else if (equals_ci(sub, "overflow") && rest >= 1) {
      const std::string_view how = c.arg(++j);
      if (equals_ci(how, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (equals_ci(how, "sat")) {
        overflow = Overflow::kSat;
      } else if (equals_ci(how, "fail")) {
        overflow = Overflow::kFail;
      } else {
        c.out.error("ERR Invalid OVERFLOW type specified");
        return false;
      }
      continue;
    } else {
      c.out.syntax_error();
      return false;
    }
    Field f{op, overflow, false, 0, 0, 0};
    if (!parse_field_type(c, c.arg(j + 1), &f.is_signed, &f.bits)) return false;
    if (!get_bit_offset_or_reply(c, c.arg(j + 2), static_cast<int>(f.bits), &f.offset)) return false;
    if (op != FieldOp::kGet) {
      *read_only = false;
      *highest_bit = std::max(*highest_bit, f.offset + f.bits - 1);
      if (!get_ll_or_reply(c.out, c.arg(j + 3), &f.arg)) return false;
    }
    fields->push_back(f);
    j += op == FieldOp::kGet ? 2 : 3;
  }
  return true;
}

// What one SET or INCRBY did.
struct Applied {
  bool done;     // false: OVERFLOW FAIL refused it (replied nil)
  bool changed;  // the field holds a new value
};

// One SET or INCRBY on `v`: replies its result, nil when OVERFLOW FAIL
// refuses it.
Applied apply_field(CommandContext& c, std::string& v, const Field& f) {
  if (f.is_signed) {
    const int64_t old = get_signed_field(v, f.offset, f.bits);
    int64_t next, limit = 0;
    bool over;
    if (f.op == FieldOp::kIncrBy) {
      over = signed_overflow(old, f.arg, f.bits, f.overflow, &limit);
      next = over ? limit : static_cast<int64_t>(static_cast<uint64_t>(old) + static_cast<uint64_t>(f.arg));
    } else {
      over = signed_overflow(f.arg, 0, f.bits, f.overflow, &limit);
      next = over ? limit : f.arg;
    }
    if (over && f.overflow == Overflow::kFail) {
      c.out.null();
      return {false, false};
    }
    c.out.integer(f.op == FieldOp::kIncrBy ? next : old);
    set_field(v, f.offset, f.bits, static_cast<uint64_t>(next));
    return {true, next != old};
  }
  const uint64_t old = get_field(v, f.offset, f.bits);
  uint64_t next, limit = 0;
  bool over;
  if (f.op == FieldOp::kIncrBy) {
    over = unsigned_overflow(old, f.arg, f.bits, f.overflow, &limit);
    next = over ? limit : old + static_cast<uint64_t>(f.arg);
  } else {
    over = unsigned_overflow(static_cast<uint64_t>(f.arg), 0, f.bits, f.overflow, &limit);
    next = over ? limit : static_cast<uint64_t>(f.arg);
  }
  if (over && f.overflow == Overflow::kFail) {
    c.out.null();
    return {false, false};
  }
  c.out.integer(static_cast<int64_t>(f.op == FieldOp::kIncrBy ? next : old));
  set_field(v, f.offset, f.bits, next);
  return {true, next != old};
}

void reply_get(CommandContext& c, std::string_view s, const Field& f) {
  if (f.is_signed) {
    c.out.integer(get_signed_field(s, f.offset, f.bits));
  } else {
    c.out.integer(static_cast<int64_t>(get_field(s, f.offset, f.bits)));
  }
}

void bitfield_generic(CommandContext& c, bool ro_command) {
  std::vector<Field> fields;
  bool read_only = true;
  uint64_t highest_bit = 0;
  if (!parse_fields(c, &fields, &read_only, &highest_bit)) return;
  if (read_only) {
    const Blob* b;
    if (!lookup_string_or_reply(c, c.arg(1), &b, true)) return;
    const std::string_view s = b != nullptr ? b->view() : std::string_view();
    c.out.array(fields.size());
    for (const Field& f : fields) reply_get(c, s, f);
    return;
  }
  if (ro_command) {
    c.out.error("ERR BITFIELD_RO only supports the GET subcommand");
    return;
  }
  const Blob* b;
  if (!lookup_string_or_reply(c, c.arg(1), &b, false)) return;
  const size_t need = static_cast<size_t>(highest_bit >> 3) + 1;
  // Redis lets the last field run up to 8 bytes past proto-max-bulk-len;
  // tmkv's store holds no value above it, so that corner is refused whole.
  if (need > c.db().max_value_bytes()) {
    reply_status(c.out, OpStatus::kValueTooLarge);
    return;
  }
  std::string v(b != nullptr ? b->view() : std::string_view());
  // Created or grown: Redis then counts every applied SET/INCRBY as a change.
  const bool grown = b == nullptr || v.size() < need;
  if (v.size() < need) v.resize(need, '\0');
  const size_t reply_at = c.out.mark();
  c.out.array(fields.size());
  size_t changes = 0;
  for (const Field& f : fields) {
    if (f.op == FieldOp::kGet) {
      reply_get(c, v, f);
      continue;
    }
    const Applied a = apply_field(c, v, f);
    if (a.done && (grown || a.changed)) ++changes;
  }
  // Redis creates or grows the string even when OVERFLOW FAIL refused every
  // write, without telling WATCH or keyspace events. tmkv cannot store
  // without a new version, so WATCH sees that one corner: declared.
  if (changes != 0 || grown) {
    const OpStatus st = c.db().put(*c.tx, c.arg(1), ValueType::kString, v, b != nullptr ? b->expire_at_ms() : 0);
    if (st != OpStatus::kOk) {
      c.out.truncate(reply_at);  // the error replaces the array
      reply_status(c.out, st);
      return;
    }
  }
  if (changes != 0) notify_keyspace_event(c, kNotifyString, "setbit", c.arg(1));
}

void cmd_bitfield(CommandContext& c) { bitfield_generic(c, false); }
void cmd_bitfield_ro(CommandContext& c) { bitfield_generic(c, true); }

}  // namespace

void register_bitmap_commands(std::vector<CommandSpec>& t) {
  const uint32_t R = kTransactional | kReadOnly;
  const uint32_t W = kTransactional | kWrite | kDenyOom;
  t.push_back({"setbit", 4, W, 1, 1, 1, "bitmap", "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", cmd_setbit});
  t.push_back({"getbit", 3, R | kFast, 1, 1, 1, "bitmap", "Returns a bit value by offset.", cmd_getbit});
  t.push_back({"bitcount", -2, R, 1, 1, 1, "bitmap", "Counts the number of set bits (population counting) in a string.", cmd_bitcount});
  t.push_back({"bitpos", -3, R, 1, 1, 1, "bitmap", "Finds the first set (1) or clear (0) bit in a string.", cmd_bitpos});
  t.push_back({"bitop", -4, W, 2, -1, 1, "bitmap", "Performs bitwise operations on multiple strings, and stores the result.", cmd_bitop});
  t.push_back({"bitfield", -2, W, 1, 1, 1, "bitmap", "Performs arbitrary bitfield integer operations on strings.", cmd_bitfield});
  t.push_back({"bitfield_ro", -2, R | kFast, 1, 1, 1, "bitmap", "Performs arbitrary read-only bitfield integer operations on strings.", cmd_bitfield_ro});
}

}  // namespace tmkv::server
