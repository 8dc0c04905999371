#include "server/hyperloglog.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace tmkv::server::hll {
namespace {

constexpr uint64_t kSeed = 0xadc83b19ULL;
constexpr size_t kDenseRegisterBytes = kDenseBytes - kHeaderBytes;
constexpr uint8_t kRegisterMax = 63;      // 6 bits
constexpr uint32_t kSparseValueMax = 32;  // a VAL opcode holds 1..32
constexpr uint32_t kSparseValueRunMax = 4;
constexpr uint32_t kSparseZeroRunMax = 64;
constexpr uint8_t kCacheStaleBit = 0x80;  // in the cached count's last byte

uint8_t* bytes(std::string* s) { return reinterpret_cast<uint8_t*>(s->data()); }
const uint8_t* bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// ---- Dense registers: 6 bits each, least significant bit first. ----

uint8_t get_dense(const uint8_t* regs, uint32_t i) {
  const size_t byte = i * 6 / 8;
  const unsigned shift = i * 6 & 7;
  // The last register ends inside the last byte; nothing lies beyond it.
  const unsigned next = byte + 1 < kDenseRegisterBytes ? regs[byte + 1] : 0;
  return static_cast<uint8_t>(((regs[byte] >> shift) | (next << (8 - shift))) & kRegisterMax);
}

void put_dense(uint8_t* regs, uint32_t i, uint8_t v) {
  const size_t byte = i * 6 / 8;
  const unsigned shift = i * 6 & 7;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(kRegisterMax << shift)) | (v << shift));
  if (byte + 1 < kDenseRegisterBytes) {
    const unsigned high = 8 - shift;
    regs[byte + 1] = static_cast<uint8_t>((regs[byte + 1] & ~(kRegisterMax >> high)) | (v >> high));
  }
}

bool raise_dense(uint8_t* regs, uint32_t i, uint8_t v) {
  if (v <= get_dense(regs, i)) return false;
  put_dense(regs, i, v);
  return true;
}

// ---- Sparse opcodes. ----

enum class OpKind { kZero, kXZero, kVal };
struct Op {
  OpKind kind;
  uint32_t run;    // registers covered, >= 1
  uint8_t value;   // kVal only
  size_t size;     // bytes: 2 for XZERO, else 1
};

// Decodes the opcode at s[at] (at < s.size()). An XZERO cut short by the
// end of the string reads its missing second byte as 0, as Redis does (it
// reads the string's terminating NUL), so corrupt values decode alike.
Op decode(std::string_view s, size_t at) {
  const uint8_t b = bytes(s)[at];
  if ((b & 0xc0) == 0) return Op{OpKind::kZero, (b & 0x3fu) + 1, 0, 1};
  if ((b & 0xc0) == 0x40) {
    const uint8_t low = at + 1 < s.size() ? bytes(s)[at + 1] : 0;
    return Op{OpKind::kXZero, ((b & 0x3fu) << 8 | low) + 1, 0, 2};
  }
  return Op{OpKind::kVal, (b & 0x3u) + 1, static_cast<uint8_t>(((b >> 2) & 0x1f) + 1), 1};
}

uint8_t val_op(uint32_t value, uint32_t run) { return static_cast<uint8_t>(0x80 | (value - 1) << 2 | (run - 1)); }

// Appends a run of zero registers: ZERO up to 64, XZERO beyond.
void append_zeros(std::string* seq, uint32_t run) {
  if (run > kSparseZeroRunMax) {
    const uint32_t l = run - 1;
    seq->push_back(static_cast<char>(0x40 | l >> 8));
    seq->push_back(static_cast<char>(l & 0xff));
  } else {
    seq->push_back(static_cast<char>(run - 1));
  }
}

// Calls fn(op, first register) for each opcode in turn and returns how many
// registers they cover, or nullopt at a VAL run that would pass the last
// register (Redis stops there too; either way the value is corrupt).
template <class Fn>
std::optional<uint64_t> walk_sparse(std::string_view hll, Fn&& fn) {
  uint64_t index = 0;
  for (size_t at = kHeaderBytes; at < hll.size();) {
    const Op op = decode(hll, at);
    if (op.kind == OpKind::kVal && index + op.run > kRegisters) return std::nullopt;
    fn(op, index);
    at += op.size;
    index += op.run;
  }
  return index;
}

Change promote_and_raise(std::string* hll, uint32_t index, uint8_t value) {
  if (!to_dense(hll)) return Change::kCorrupt;
  // A register that made the value go dense was below `value`.
  raise_dense(bytes(hll) + kHeaderBytes, index, value);
  return Change::kChanged;
}

// Raises register `index` of a sparse value to `value`, splitting the opcode
// that covers it into up to three, then merging neighbouring VAL opcodes of
// equal value where they fit one. The byte sequence is Redis's
// (hllSparseSet), so both servers build identical strings from identical
// commands.
Change raise_sparse(std::string* hll, uint32_t index, uint8_t value, size_t sparse_max_bytes) {
  if (value > kSparseValueMax) return promote_and_raise(hll, index, value);
  // Find the opcode covering `index`, and the one before it.
  const size_t end = hll->size();
  size_t at = kHeaderBytes;
  size_t prev = 0;  // 0: none
  uint64_t first = 0;
  Op op{OpKind::kZero, 0, 0, 1};
  while (at < end) {
    op = decode(*hll, at);
    if (index <= first + op.run - 1) break;
    prev = at;
    at += op.size;
    first += op.run;
  }
  if (op.run == 0 || at >= end) return Change::kCorrupt;

  if (op.kind == OpKind::kVal) {
    if (op.value >= value) return Change::kUnchanged;
  }
  if ((op.kind == OpKind::kVal || op.kind == OpKind::kZero) && op.run == 1) {
    bytes(hll)[at] = val_op(value, 1);
  } else {
    const uint64_t last = first + op.run - 1;
    std::string seq;
    if (op.kind == OpKind::kVal) {
      if (index != first) seq.push_back(static_cast<char>(val_op(op.value, static_cast<uint32_t>(index - first))));
      seq.push_back(static_cast<char>(val_op(value, 1)));
      if (index != last) seq.push_back(static_cast<char>(val_op(op.value, static_cast<uint32_t>(last - index))));
    } else {
      if (index != first) append_zeros(&seq, static_cast<uint32_t>(index - first));
      seq.push_back(static_cast<char>(val_op(value, 1)));
      if (index != last) append_zeros(&seq, static_cast<uint32_t>(last - index));
    }
    const int64_t delta = static_cast<int64_t>(seq.size()) - static_cast<int64_t>(op.size);
    if (delta > 0 && hll->size() + static_cast<size_t>(delta) > sparse_max_bytes) {
      return promote_and_raise(hll, index, value);
    }
    // Replace the opcode's bytes. The length moves by exactly `delta`, so an
    // XZERO cut short at the end (decode) loses the sequence's last byte,
    // as in Redis.
    const size_t next = std::min(at + op.size, end);
    std::string rebuilt;
    rebuilt.reserve(end + seq.size());
    rebuilt.append(*hll, 0, at).append(seq).append(*hll, next, std::string::npos);
    rebuilt.resize(static_cast<size_t>(static_cast<int64_t>(end) + delta));
    hll->swap(rebuilt);
  }

  // Merge VAL opcodes of the same value next to the change: scan at most
  // five opcodes from the one before it.
  size_t q = prev != 0 ? prev : kHeaderBytes;
  int scan = 5;
  while (q < hll->size() && scan-- > 0) {
    const Op here = decode(*hll, q);
    if (here.kind != OpKind::kVal) {
      q += here.size;
      continue;
    }
    if (q + 1 < hll->size()) {
      const Op right = decode(*hll, q + 1);
      if (right.kind == OpKind::kVal && right.value == here.value && here.run + right.run <= kSparseValueRunMax) {
        bytes(hll)[q + 1] = val_op(here.value, here.run + right.run);
        hll->erase(q, 1);
        continue;  // the merged opcode may merge with the next one too
      }
    }
    ++q;
  }
  invalidate_cached_count(hll);
  return Change::kChanged;
}

// The register index and value an element sets (Redis's hllPatLen).
std::pair<uint32_t, uint8_t> register_for(std::string_view element) {
  uint64_t hash = murmur_hash64a(element, kSeed);
  const auto index = static_cast<uint32_t>(hash & (kRegisters - 1));
  hash >>= kIndexBits;
  hash |= uint64_t{1} << kHashBits;  // the count stops at kHashBits + 1
  return {index, static_cast<uint8_t>(__builtin_ctzll(hash) + 1)};
}

// Histogram of register values; false: the sparse opcodes are corrupt.
using Histogram = std::array<uint32_t, 64>;

bool histogram_of(std::string_view hll, Histogram* h) {
  h->fill(0);
  if (encoding_of(hll) == kDense) {
    const uint8_t* regs = bytes(hll) + kHeaderBytes;
    for (uint32_t i = 0; i < kRegisters; ++i) ++(*h)[get_dense(regs, i)];
    return true;
  }
  const auto covered = walk_sparse(hll, [&](const Op& op, uint64_t) {
    (*h)[op.kind == OpKind::kVal ? op.value : 0] += op.run;
  });
  return covered == kRegisters;
}

// Ertl's sigma and tau (section 4 of the paper), summed until the double
// stops changing.
double sigma(double x) {
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  double y = 1.0;
  double z = x;
  double before;
  do {
    x *= x;
    before = z;
    z += x * y;
    y += y;
  } while (before != z);
  return z;
}

double tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0;
  double z = 1 - x;
  double before;
  do {
    x = std::sqrt(x);
    before = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (before != z);
  return z / 3;
}

// The improved raw estimator from the register histogram. The order of the
// floating-point operations is Redis's, so the two agree to the last unit.
uint64_t estimate(const Histogram& h) {
  const double m = kRegisters;
  double z = m * tau((m - h[kHashBits + 1]) / m);
  for (int j = kHashBits; j >= 1; --j) {
    z += h[j];
    z *= 0.5;
  }
  z += m * sigma(h[0] / m);
  constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

uint64_t murmur_hash64a(std::string_view data, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  uint64_t h = seed ^ (static_cast<uint64_t>(data.size()) * m);
  const uint8_t* p = bytes(data);
  const size_t blocks = data.size() / 8;
  for (size_t i = 0; i < blocks; ++i, p += 8) {
    uint64_t k;
    std::memcpy(&k, p, 8);  // little-endian, as on the machines Redis's layout assumes
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const size_t tail = data.size() & 7;
  if (tail != 0) {
    for (size_t i = tail; i-- > 0;) h ^= static_cast<uint64_t>(p[i]) << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

bool looks_like_hll(std::string_view v) {
  if (v.size() < kHeaderBytes || v.substr(0, 4) != "HYLL") return false;
  const uint8_t enc = bytes(v)[4];
  if (enc > kSparse) return false;
  return enc != kDense || v.size() == kDenseBytes;
}

std::string make_empty() {
  std::string s(kHeaderBytes, '\0');
  std::memcpy(s.data(), "HYLL", 4);
  s[4] = static_cast<char>(kSparse);
  append_zeros(&s, kRegisters);
  return s;
}

Encoding encoding_of(std::string_view hll) { return static_cast<Encoding>(bytes(hll)[4]); }

Change add(std::string* hll, std::string_view element, size_t sparse_max_bytes) {
  const auto [index, value] = register_for(element);
  return raise_register(hll, index, value, sparse_max_bytes);
}

Change raise_register(std::string* hll, uint32_t index, uint8_t value, size_t sparse_max_bytes) {
  if (encoding_of(*hll) == kDense) {
    return raise_dense(bytes(hll) + kHeaderBytes, index, value) ? Change::kChanged : Change::kUnchanged;
  }
  return raise_sparse(hll, index, value, sparse_max_bytes);
}

bool to_dense(std::string* hll) {
  if (encoding_of(*hll) == kDense) return true;
  std::string dense(kDenseBytes, '\0');
  std::memcpy(dense.data(), hll->data(), kHeaderBytes);  // the magic and the cached count
  dense[4] = static_cast<char>(kDense);
  uint8_t* regs = bytes(&dense) + kHeaderBytes;
  const auto covered = walk_sparse(*hll, [&](const Op& op, uint64_t first) {
    if (op.kind != OpKind::kVal) return;
    for (uint32_t k = 0; k < op.run; ++k) put_dense(regs, static_cast<uint32_t>(first + k), op.value);
  });
  if (covered != kRegisters) return false;
  hll->swap(dense);
  return true;
}

std::optional<uint64_t> cached_count(std::string_view hll) {
  const uint8_t* card = bytes(hll) + 8;
  if (card[7] & kCacheStaleBit) return std::nullopt;
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | card[i];
  return v;
}

void store_cached_count(std::string* hll, uint64_t count) {
  for (int i = 0; i < 8; ++i) (*hll)[8 + i] = static_cast<char>(count >> (8 * i) & 0xff);
}

void invalidate_cached_count(std::string* hll) { bytes(hll)[15] |= kCacheStaleBit; }

std::optional<uint64_t> count(std::string_view hll) {
  Histogram h;
  if (!histogram_of(hll, &h)) return std::nullopt;
  return estimate(h);
}

bool merge_into(Registers* max, std::string_view hll) {
  if (encoding_of(hll) == kDense) {
    const uint8_t* regs = bytes(hll) + kHeaderBytes;
    for (uint32_t i = 0; i < kRegisters; ++i) (*max)[i] = std::max((*max)[i], get_dense(regs, i));
    return true;
  }
  const auto covered = walk_sparse(hll, [&](const Op& op, uint64_t first) {
    if (op.kind != OpKind::kVal) return;
    for (uint32_t k = 0; k < op.run; ++k) {
      uint8_t& r = (*max)[first + k];
      r = std::max(r, op.value);
    }
  });
  return covered == kRegisters;
}

uint64_t count_registers(const Registers& registers) {
  Histogram h{};
  for (uint8_t r : registers) ++h[r & 63];
  return estimate(h);
}

uint8_t dense_register(std::string_view dense, uint32_t i) { return get_dense(bytes(dense) + kHeaderBytes, i); }

std::string decode_sparse(std::string_view hll) {
  std::string out;
  for (size_t at = kHeaderBytes; at < hll.size();) {
    const Op op = decode(hll, at);
    at += op.size;
    if (!out.empty()) out += ' ';
    switch (op.kind) {
      case OpKind::kZero:
        out += "z:" + std::to_string(op.run);
        break;
      case OpKind::kXZero:
        out += "Z:" + std::to_string(op.run);
        break;
      case OpKind::kVal:
        out += "v:" + std::to_string(op.value) + "," + std::to_string(op.run);
        break;
    }
  }
  return out;
}

std::optional<std::string> self_test(size_t sparse_max_bytes, uint64_t seed, int rounds, uint64_t elements) {
  uint64_t state = seed | 1;
  auto next = [&state] {  // xorshift64*: any fixed, cheap sequence will do
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
  };
  // (1) every register of a dense value holds exactly what was put there
  std::string empty_dense = make_empty();
  if (!to_dense(&empty_dense)) return "dense conversion failed";
  std::vector<uint8_t> want(kRegisters);
  for (int round = 0; round < rounds; ++round) {
    std::string dense = empty_dense;
    for (uint32_t i = 0; i < kRegisters; ++i) {
      want[i] = static_cast<uint8_t>(next() & 63);
      raise_register(&dense, i, want[i], sparse_max_bytes);
    }
    for (uint32_t i = 0; i < kRegisters; ++i) {
      if (dense_register(dense, i) != want[i]) return "Register error at " + std::to_string(i);
    }
  }
  // (2) sparse and dense agree while sparse, and the error stays small
  const double relerr = 1.04 / std::sqrt(static_cast<double>(kRegisters));
  std::string sparse = make_empty();
  std::string dense = empty_dense;
  uint64_t checkpoint = 1;
  const uint64_t salt = next();
  for (uint64_t j = 1; j <= elements; ++j) {
    const uint64_t ele = j ^ salt;
    char buf[8];
    std::memcpy(buf, &ele, 8);
    const std::string_view element(buf, 8);
    if (add(&sparse, element, sparse_max_bytes) == Change::kCorrupt) return "sparse encoding corrupted";
    add(&dense, element, sparse_max_bytes);
    if (j != checkpoint) continue;
    const bool is_sparse = encoding_of(sparse) == kSparse;
    if (j < sparse_max_bytes / 2 && !is_sparse) return std::string("sparse encoding not used");
    const std::optional<uint64_t> got = count(sparse);
    if (!got) return std::string("sparse encoding corrupted");
    if (is_sparse && count(dense) != got) return std::string("dense/sparse disagree");
    const uint64_t abserr = *got > checkpoint ? *got - checkpoint : checkpoint - *got;
    const uint64_t maxerr =
        checkpoint == 10 ? 1 : static_cast<uint64_t>(std::ceil(relerr * 6 * static_cast<double>(checkpoint)));
    if (abserr > maxerr) {
      return "Too big error. card:" + std::to_string(checkpoint) + " abserr:" + std::to_string(abserr);
    }
    checkpoint *= 10;
  }
  return std::nullopt;
}

}  // namespace tmkv::server::hll
