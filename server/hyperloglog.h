// Redis's HyperLogLog, byte for byte: a HyperLogLog is a string value whose
// bytes are Redis 7's layout, so GET, DUMP/RESTORE, replication of the value
// and redis-server itself all agree with tmkv on every byte and every count.
//
// Layout (16-byte header, then the registers):
//   "HYLL"  encoding (0 dense, 1 sparse)  3 unused bytes
//   8 bytes: the cached cardinality, little-endian; its top bit set means
//            "stale" (PFADD and PFMERGE set it, PFCOUNT recomputes and clears)
// 16384 registers (P = 14), each the longest run of trailing zeros + 1 seen
// in the 50 hash bits left after the register index (so at most 51).
//   dense:  6 bits per register, packed least significant bit first
//           (12288 bytes);
//   sparse: run-length opcodes, for HyperLogLogs with few non-zero
//           registers: ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx
//           yyyyyyyy (1..16384 zero registers), VAL 1vvvvvxx (1..4
//           registers of value 1..32). A sparse value becomes dense when a
//           register needs more than 32 or when it would grow past
//           hll-sparse-max-bytes (default 3000), and never goes back.
// The hash is MurmurHash64A (seed 0xadc83b19); the estimate is Ertl's
// improved estimator ("New cardinality estimation algorithms for
// HyperLogLog sketches", 2017), which Redis uses since 5.0.
//
// Values are immutable in tmkv's store, so every function here works on a
// copy the caller owns and then stores.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tmkv::server::hll {

inline constexpr int kIndexBits = 14;                   // Redis's HLL_P
inline constexpr uint32_t kRegisters = 1u << kIndexBits;  // 16384
inline constexpr int kHashBits = 64 - kIndexBits;       // Redis's HLL_Q (50)
inline constexpr size_t kHeaderBytes = 16;
inline constexpr size_t kDenseBytes = kHeaderBytes + (kRegisters * 6 + 7) / 8;  // 12304

enum Encoding : uint8_t { kDense = 0, kSparse = 1 };

// One register per byte: the merge of several HyperLogLogs (PFCOUNT of many
// keys, PFMERGE), Redis's internal "raw" encoding.
using Registers = std::array<uint8_t, kRegisters>;

// What a change did: kChanged, kUnchanged, or kCorrupt (a sparse value whose
// opcodes do not cover exactly 16384 registers; the value is then left as
// it was before this call).
enum class Change { kUnchanged, kChanged, kCorrupt };

uint64_t murmur_hash64a(std::string_view data, uint64_t seed);

// Redis's isHLLObject: long enough for the header, the magic, a known
// encoding, and a dense value of exactly the dense length. (The sparse
// opcodes are checked only when they are used: kCorrupt.)
bool looks_like_hll(std::string_view v);

// An empty HyperLogLog: sparse, one XZERO opcode, cached count 0 (valid).
std::string make_empty();

Encoding encoding_of(std::string_view hll);

// Adds `element`: raises its register. REQUIRES: looks_like_hll(*hll).
// Invalidates the cached count when the sparse representation changes
// (Redis's hllSparseSet does; its dense add leaves that to the caller).
Change add(std::string* hll, std::string_view element, size_t sparse_max_bytes);

// Raises register `index` to `value` if it is lower (PFMERGE).
Change raise_register(std::string* hll, uint32_t index, uint8_t value, size_t sparse_max_bytes);

// Sparse to dense, keeping the header's cached count; a dense value is left
// alone. false: corrupt (and *hll unchanged).
bool to_dense(std::string* hll);

// The cached count, if it is valid.
std::optional<uint64_t> cached_count(std::string_view hll);
void store_cached_count(std::string* hll, uint64_t count);
void invalidate_cached_count(std::string* hll);

// The estimate from the registers; nullopt: corrupt sparse opcodes.
std::optional<uint64_t> count(std::string_view hll);

// max[i] = max(max[i], register i of hll). false: corrupt.
bool merge_into(Registers* max, std::string_view hll);

// The estimate for a set of registers (PFCOUNT of several keys).
uint64_t count_registers(const Registers& registers);

// Register i of a dense value (PFDEBUG GETREG).
uint8_t dense_register(std::string_view dense, uint32_t i);

// PFDEBUG DECODE: the sparse opcodes as "z:N", "Z:N" and "v:VALUE,N",
// space-separated.
std::string decode_sparse(std::string_view hll);

// PFSELFTEST: the checks Redis's self-test makes, on this implementation.
// (1) Dense packing: `rounds` (Redis: 1000) rounds of random 6-bit values
// in every register of a fresh dense value read back exactly. (2) Adding
// `elements` (Redis: 10,000,000) distinct
// 8-byte elements (derived from `seed`) to a sparse value and to a dense
// one: at each power of ten, the sparse one is still sparse while it is
// small (below sparse_max_bytes / 2 elements), both estimate the same while
// it is sparse, and the estimate is within 6 standard errors (1.04/sqrt(m)
// each) of the truth (within 1 at 10). nullopt if all pass, else what
// failed, as Redis words it (the caller prefixes "TESTFAILED").
std::optional<std::string> self_test(size_t sparse_max_bytes, uint64_t seed, int rounds = 1000,
                                     uint64_t elements = 10000000);

}  // namespace tmkv::server::hll
