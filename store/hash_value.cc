#include "store/hash_value.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

#include "store/allocator_stats.h"
#include "store/hash.h"
#include "store/int_codec.h"

#ifndef TMKV_HASH_LEVEL_BITS
#define TMKV_HASH_LEVEL_BITS 5
#endif

namespace tmkv::store {

// ---- Nodes -------------------------------------------------------------------

enum class NodeKind : uint8_t { kLeaf, kBranch, kCollision };

struct HashNode {
  std::atomic<uint32_t> refs;  // see the header's OWNERSHIP AND CONCURRENCY
  NodeKind kind;               // immutable
};

struct HashLeaf : HashNode {
  uint32_t field_size;  // immutable, like everything below
  uint32_t value_size;
  uint64_t hash;
  uint64_t seq;  // insertion number of the field (kept when the value changes)
  char bytes[];  // field, then value

  std::string_view field() const { return {bytes, field_size}; }
  std::string_view value() const { return {bytes + field_size, value_size}; }
};

struct HashBranch : HashNode {
  uint32_t bitmap;      // which of the 32 slots have a child
  uint64_t leaves;      // leaves below (HRANDFIELD's walk)
  HashNode* child[];    // popcount(bitmap) children, in slot order
};

struct HashCollision : HashNode {
  uint32_t n;           // >= 2 leaves with the same 64-bit hash
  HashLeaf* leaf[];
};

namespace {

// Bits per level: 5, a fan-out of 32. A path copy retains every sibling of
// the path's nodes (an atomic increment each), so a smaller fan-out means
// fewer increments per write but one more level per 2^bits as many fields.
// On a hot 100k-field hash (redis-benchmark -t hset -P 16, one I/O thread,
// three rounds) 3, 4 and 5 bits made the same writes/s within the noise,
// and 5 takes 12% less memory than 4: 5 it is (TMKV_HASH_LEVEL_BITS).
constexpr int kBits = TMKV_HASH_LEVEL_BITS;
constexpr uint32_t kSlotMask = (1u << kBits) - 1;
constexpr int kFullLevels = 64 / kBits;  // levels that take kBits bits; a last one takes the rest

// Seeded once per process, so clients cannot aim fields at one path.
uint64_t field_seed() {
  static const uint64_t seed = [] {
    std::random_device rd;
    return (uint64_t{rd()} << 32) ^ rd();
  }();
  return seed;
}

std::atomic<uint64_t> g_hash_listpack_entries{512};
std::atomic<uint64_t> g_hash_listpack_value{64};
std::atomic<uint64_t> g_intset_entries{512};

std::atomic<uint64_t> g_weak_hash_distinct{0};  // tests only; 0 = the real hash

uint64_t field_hash(std::string_view field) {
  const uint64_t h = hash_key_seeded(field, field_seed());
  const uint64_t weak = g_weak_hash_distinct.load(std::memory_order_relaxed);
  // Weak: `distinct` values that agree in their low 44 bits, so the trie
  // goes 9 levels deep before they part, and collides beyond that.
  return weak == 0 ? h : (h % weak) << 44;
}

uint32_t slot(uint64_t hash, int shift) { return static_cast<uint32_t>(hash >> shift) & kSlotMask; }

// The order key: the hash's chunks with the first level's most significant
// (full levels take kBits bits each from the top; a last, partial level the
// lowest bits).
uint64_t order_key(uint64_t h) {
  uint64_t k = 0;
  for (int level = 0; level < kFullLevels; ++level) {
    k |= ((h >> (level * kBits)) & kSlotMask) << (64 - kBits * (level + 1));
  }
  if constexpr (64 % kBits != 0) k |= h >> (kFullLevels * kBits);
  return k;
}

void* allocate(size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

size_t leaf_bytes(size_t field, size_t value) { return sizeof(HashLeaf) + field + value; }
size_t branch_bytes(int children) { return sizeof(HashBranch) + sizeof(HashNode*) * children; }
size_t collision_bytes(uint32_t n) { return sizeof(HashCollision) + sizeof(HashLeaf*) * n; }

size_t node_bytes(const HashNode* n) {
  switch (n->kind) {
    case NodeKind::kLeaf: {
      auto* l = static_cast<const HashLeaf*>(n);
      return leaf_bytes(l->field_size, l->value_size);
    }
    case NodeKind::kBranch:
      return branch_bytes(std::popcount(static_cast<const HashBranch*>(n)->bitmap));
    case NodeKind::kCollision:
      return collision_bytes(static_cast<const HashCollision*>(n)->n);
  }
  return 0;
}

uint64_t leaves_of(const HashNode* n) {
  switch (n->kind) {
    case NodeKind::kLeaf:
      return 1;
    case NodeKind::kBranch:
      return static_cast<const HashBranch*>(n)->leaves;
    case NodeKind::kCollision:
      return static_cast<const HashCollision*>(n)->n;
  }
  return 0;
}

// The siblings a path copy retains (or a freed branch releases) are rarely
// in cache in a big hash: start all their misses at once rather than take
// them one after another.
void prefetch_children(const HashBranch* b, int k) {
  for (int j = 0; j < k; ++j) __builtin_prefetch(b->child[j], 1);
}

// Relaxed: the caller holds a reference already (see the header).
void retain(HashNode* n) { n->refs.fetch_add(1, std::memory_order_relaxed); }

// acq_rel: this thread's uses of n happen before the free by whichever thread
// drops the last reference, and that thread sees every other's uses.
// Recursive over the children it frees: the depth is at most the trie's
// (13 levels and a collision node at 5 bits per level).
void release(HashNode* n) {
  if (n == nullptr || n->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (n->kind == NodeKind::kBranch) {
    auto* b = static_cast<HashBranch*>(n);
    const int k = std::popcount(b->bitmap);
    prefetch_children(b, k);
    for (int i = 0; i < k; ++i) release(b->child[i]);
  } else if (n->kind == NodeKind::kCollision) {
    auto* c = static_cast<HashCollision*>(n);
    for (uint32_t i = 0; i < c->n; ++i) release(c->leaf[i]);
  }
  std::free(n);
}

HashLeaf* make_leaf(uint64_t hash, uint64_t seq, std::string_view field, std::string_view value) {
  auto* l = static_cast<HashLeaf*>(allocate(leaf_bytes(field.size(), value.size())));
  l->refs.store(1, std::memory_order_relaxed);  // not yet shared
  l->kind = NodeKind::kLeaf;
  l->field_size = static_cast<uint32_t>(field.size());
  l->value_size = static_cast<uint32_t>(value.size());
  l->hash = hash;
  l->seq = seq;
  if (!field.empty()) std::memcpy(l->bytes, field.data(), field.size());
  if (!value.empty()) std::memcpy(l->bytes + field.size(), value.data(), value.size());
  return l;
}

HashBranch* make_branch(uint32_t bitmap) {
  auto* b = static_cast<HashBranch*>(allocate(branch_bytes(std::popcount(bitmap))));
  b->refs.store(1, std::memory_order_relaxed);
  b->kind = NodeKind::kBranch;
  b->bitmap = bitmap;
  b->leaves = 0;
  return b;
}

HashCollision* make_collision(uint32_t n) {
  auto* c = static_cast<HashCollision*>(allocate(collision_bytes(n)));
  c->refs.store(1, std::memory_order_relaxed);
  c->kind = NodeKind::kCollision;
  c->n = n;
  return c;
}

int child_index(uint32_t bitmap, uint32_t s) { return std::popcount(bitmap & ((1u << s) - 1)); }

// Change in this version's node bytes while building it: each node as the
// allocator sizes it (its size class), so MEMORY USAGE and eviction see
// what the nodes really take.
struct Delta {
  int64_t bytes = 0;
  void added(const HashNode* n) { bytes += static_cast<int64_t>(allocation_size(node_bytes(n))); }
  void dropped(const HashNode* n) { bytes -= static_cast<int64_t>(allocation_size(node_bytes(n))); }
};

// A node holding leaves a and b (distinct fields), at `shift`. Takes over
// the caller's references to a and b.
HashNode* join(HashLeaf* a, HashLeaf* b, int shift, Delta* d) {
  if (shift >= 64) {
    HashCollision* c = make_collision(2);
    c->leaf[0] = a;
    c->leaf[1] = b;
    d->added(c);
    return c;
  }
  const uint32_t sa = slot(a->hash, shift), sb = slot(b->hash, shift);
  if (sa == sb) {
    HashBranch* br = make_branch(1u << sa);
    br->child[0] = join(a, b, shift + kBits, d);
    br->leaves = 2;
    d->added(br);
    return br;
  }
  HashBranch* br = make_branch((1u << sa) | (1u << sb));
  br->child[sa < sb ? 0 : 1] = a;
  br->child[sa < sb ? 1 : 0] = b;
  br->leaves = 2;
  d->added(br);
  return br;
}

// A copy of branch b with child i replaced by `c` (a new reference, taken
// over); the other children retained.
HashBranch* with_child(const HashBranch* b, int i, HashNode* c, uint64_t leaves) {
  HashBranch* nb = make_branch(b->bitmap);
  const int k = std::popcount(b->bitmap);
  prefetch_children(b, k);
  for (int j = 0; j < k; ++j) {
    if (j == i) continue;
    nb->child[j] = b->child[j];
    retain(b->child[j]);
  }
  nb->child[i] = c;
  nb->leaves = leaves;
  return nb;
}

// The version of `n` (at `shift`) with leaf `l` in place of any leaf with
// its field. Takes over the reference to l; leaves n's references alone.
// Returns a new reference.
HashNode* assoc(HashNode* n, int shift, HashLeaf* l, Delta* d) {
  switch (n->kind) {
    case NodeKind::kLeaf: {
      auto* old = static_cast<HashLeaf*>(n);
      if (old->hash == l->hash && old->field() == l->field()) {
        d->dropped(old);
        d->added(l);
        return l;
      }
      retain(old);
      d->added(l);
      return join(old, l, shift, d);
    }
    case NodeKind::kCollision: {
      auto* c = static_cast<HashCollision*>(n);
      uint32_t found = c->n;
      for (uint32_t i = 0; i < c->n; ++i) {
        if (c->leaf[i]->field() == l->field()) found = i;
      }
      HashCollision* nc = make_collision(found == c->n ? c->n + 1 : c->n);
      for (uint32_t i = 0; i < c->n; ++i) {
        if (i == found) continue;
        nc->leaf[i] = c->leaf[i];
        retain(c->leaf[i]);
      }
      nc->leaf[found] = l;
      if (found != c->n) d->dropped(c->leaf[found]);
      d->dropped(c);
      d->added(nc);
      d->added(l);
      return nc;
    }
    case NodeKind::kBranch: {
      auto* b = static_cast<HashBranch*>(n);
      const uint32_t s = slot(l->hash, shift);
      const int i = child_index(b->bitmap, s);
      d->dropped(b);
      if ((b->bitmap & (1u << s)) != 0) {
        HashNode* c = assoc(b->child[i], shift + kBits, l, d);
        const uint64_t leaves = b->leaves - leaves_of(b->child[i]) + leaves_of(c);
        HashBranch* nb = with_child(b, i, c, leaves);
        d->added(nb);
        return nb;
      }
      HashBranch* nb = make_branch(b->bitmap | (1u << s));
      const int k = std::popcount(b->bitmap);
      prefetch_children(b, k);
      for (int j = 0, o = 0; j <= k; ++j) {
        if (j == i) {
          nb->child[j] = l;
          continue;
        }
        nb->child[j] = b->child[o];
        retain(b->child[o]);
        ++o;
      }
      nb->leaves = b->leaves + 1;
      d->added(l);
      d->added(nb);
      return nb;
    }
  }
  return nullptr;
}

// The version of `n` without field: *removed false (and nullptr returned,
// nothing built) if the field is not there; otherwise a new reference, or
// nullptr for an empty result.
HashNode* dissoc(HashNode* n, int shift, uint64_t h, std::string_view field, bool* removed, Delta* d) {
  *removed = false;
  switch (n->kind) {
    case NodeKind::kLeaf: {
      auto* l = static_cast<HashLeaf*>(n);
      if (l->hash != h || l->field() != field) return nullptr;
      *removed = true;
      d->dropped(l);
      return nullptr;
    }
    case NodeKind::kCollision: {
      auto* c = static_cast<HashCollision*>(n);
      uint32_t found = c->n;
      for (uint32_t i = 0; i < c->n; ++i) {
        if (c->leaf[i]->hash == h && c->leaf[i]->field() == field) found = i;
      }
      if (found == c->n) return nullptr;
      *removed = true;
      d->dropped(c->leaf[found]);
      d->dropped(c);
      if (c->n == 2) {  // one leaf left: it stands alone
        HashLeaf* rest = c->leaf[found == 0 ? 1 : 0];
        retain(rest);
        return rest;
      }
      HashCollision* nc = make_collision(c->n - 1);
      for (uint32_t i = 0, o = 0; i < c->n; ++i) {
        if (i == found) continue;
        nc->leaf[o++] = c->leaf[i];
        retain(c->leaf[i]);
      }
      d->added(nc);
      return nc;
    }
    case NodeKind::kBranch: {
      auto* b = static_cast<HashBranch*>(n);
      const uint32_t s = slot(h, shift);
      if ((b->bitmap & (1u << s)) == 0) return nullptr;
      const int i = child_index(b->bitmap, s);
      HashNode* c = dissoc(b->child[i], shift + kBits, h, field, removed, d);
      if (!*removed) return nullptr;
      d->dropped(b);
      const int k = std::popcount(b->bitmap);
      if (c == nullptr) {
        if (k == 1) return nullptr;
        // A branch below the root left with one leaf collapses into it.
        if (k == 2 && shift > 0) {
          HashNode* other = b->child[i == 0 ? 1 : 0];
          if (other->kind == NodeKind::kLeaf) {
            retain(other);
            return other;
          }
        }
        HashBranch* nb = make_branch(b->bitmap & ~(1u << s));
        prefetch_children(b, k);
        for (int j = 0, o = 0; j < k; ++j) {
          if (j == i) continue;
          nb->child[o++] = b->child[j];
          retain(b->child[j]);
        }
        nb->leaves = b->leaves - 1;
        d->added(nb);
        return nb;
      }
      if (k == 1 && shift > 0 && c->kind == NodeKind::kLeaf) return c;
      HashBranch* nb = with_child(b, i, c, b->leaves - 1);
      d->added(nb);
      return nb;
    }
  }
  return nullptr;
}

const HashLeaf* find_leaf(const HashNode* n, uint64_t h, std::string_view field) {
  int shift = 0;
  while (n != nullptr) {
    switch (n->kind) {
      case NodeKind::kLeaf: {
        auto* l = static_cast<const HashLeaf*>(n);
        return l->hash == h && l->field() == field ? l : nullptr;
      }
      case NodeKind::kCollision: {
        auto* c = static_cast<const HashCollision*>(n);
        for (uint32_t i = 0; i < c->n; ++i) {
          if (c->leaf[i]->hash == h && c->leaf[i]->field() == field) return c->leaf[i];
        }
        return nullptr;
      }
      case NodeKind::kBranch: {
        auto* b = static_cast<const HashBranch*>(n);
        const uint32_t s = slot(h, shift);
        if ((b->bitmap & (1u << s)) == 0) return nullptr;
        n = b->child[child_index(b->bitmap, s)];
        shift += kBits;
        break;
      }
    }
  }
  return nullptr;
}

// Leaves in trie order (increasing order key).
void walk(const HashNode* n, std::vector<const HashLeaf*>* out) {
  switch (n->kind) {
    case NodeKind::kLeaf:
      out->push_back(static_cast<const HashLeaf*>(n));
      return;
    case NodeKind::kCollision: {
      auto* c = static_cast<const HashCollision*>(n);
      for (uint32_t i = 0; i < c->n; ++i) out->push_back(c->leaf[i]);
      return;
    }
    case NodeKind::kBranch: {
      auto* b = static_cast<const HashBranch*>(n);
      const int k = std::popcount(b->bitmap);
      for (int i = 0; i < k; ++i) walk(b->child[i], out);
      return;
    }
  }
}

// HSCAN's walk: leaves with order key >= cursor, in order, until `count`
// are taken; *next = the order key of the first leaf not taken (kept at 0
// while none is found). `prefix`: the order-key bits fixed by the path to
// n; a subtree whose keys all lie below the cursor is skipped.
struct ScanWalk {
  uint64_t cursor;
  size_t count;
  std::vector<HashEntry>* out;
  size_t taken = 0;
  bool done = false;
  uint64_t next = 0;
  uint64_t last = 0;  // the order key of the last leaf taken

  void take(const HashLeaf* l) {
    const uint64_t k = order_key(l->hash);
    if (k < cursor) return;
    if (taken >= count && !done) {
      // Whole groups of one key: a collision's leaves share their key.
      if (k != last) {
        done = true;
        next = k;
        return;
      }
    }
    if (done) return;
    out->push_back({l->field(), l->value()});
    ++taken;
    last = k;
  }

  void visit(const HashNode* n, int shift, uint64_t prefix) {
    if (done) return;
    switch (n->kind) {
      case NodeKind::kLeaf:
        take(static_cast<const HashLeaf*>(n));
        return;
      case NodeKind::kCollision: {
        auto* c = static_cast<const HashCollision*>(n);
        for (uint32_t i = 0; i < c->n && !done; ++i) take(c->leaf[i]);
        return;
      }
      case NodeKind::kBranch: {
        auto* b = static_cast<const HashBranch*>(n);
        const int level = shift / kBits;
        // Keys below this child share `prefix` and the child's slot in the
        // level's bits; the rest of the bits are free.
        const int low = level < kFullLevels ? 64 - kBits * (level + 1) : 0;
        const uint64_t free_mask = low == 0 ? 0 : (uint64_t{1} << low) - 1;
        const int k = std::popcount(b->bitmap);
        for (int i = 0, s = 0; i < k && !done; ++s) {
          if ((b->bitmap & (1u << s)) == 0) continue;
          const uint64_t p = prefix | (uint64_t{static_cast<uint32_t>(s)} << low);
          if ((p | free_mask) >= cursor) visit(b->child[i], shift + kBits, p);
          ++i;
        }
        return;
      }
    }
  }
};

}  // namespace

void set_hash_listpack_limits(uint64_t entries, uint64_t value_bytes) {
  g_hash_listpack_entries.store(entries, std::memory_order_relaxed);
  g_hash_listpack_value.store(value_bytes, std::memory_order_relaxed);
}

void set_set_intset_limit(uint64_t entries) { g_intset_entries.store(entries, std::memory_order_relaxed); }

void hash_value_weak_hash_for_testing(uint64_t distinct) {
  g_weak_hash_distinct.store(distinct, std::memory_order_relaxed);
}

// ---- Blob hooks ---------------------------------------------------------------

namespace {
HashBody hash_body_of(const char* bytes) {
  HashBody b;
  std::memcpy(&b, bytes, sizeof b);
  return b;
}
}  // namespace

void hash_body_retain(const char* bytes) {
  if (HashNode* r = hash_body_of(bytes).root) retain(r);
}
void hash_body_release(const char* bytes) { release(hash_body_of(bytes).root); }
size_t hash_body_node_bytes(const char* bytes) { return hash_body_of(bytes).node_bytes; }

// ---- Hash ---------------------------------------------------------------------

Hash Hash::from_body(std::string_view body_bytes) {
  Hash h;
  if (body_bytes.size() != sizeof(HashBody)) return h;  // not a hash body: empty
  h.body_ = hash_body_of(body_bytes.data());
  if (h.body_.root != nullptr) retain(h.body_.root);
  return h;
}

Hash::Hash(const Hash& o) : body_(o.body_) {
  if (body_.root != nullptr) retain(body_.root);
}
Hash& Hash::operator=(const Hash& o) {
  if (this != &o) {
    if (o.body_.root != nullptr) retain(o.body_.root);
    release(body_.root);
    body_ = o.body_;
  }
  return *this;
}
Hash::Hash(Hash&& o) noexcept : body_(o.body_) { o.body_ = HashBody{}; }
Hash& Hash::operator=(Hash&& o) noexcept {
  if (this != &o) {
    release(body_.root);
    body_ = o.body_;
    o.body_ = HashBody{};
  }
  return *this;
}
Hash::~Hash() { release(body_.root); }

std::string Hash::body_bytes() const {
  return std::string(reinterpret_cast<const char*>(&body_), sizeof body_);
}

bool Hash::find(std::string_view field, std::string_view* value) const {
  const HashLeaf* l = find_leaf(body_.root, field_hash(field), field);
  if (l == nullptr) return false;
  *value = l->value();
  return true;
}

bool Hash::contains(std::string_view field) const {
  return find_leaf(body_.root, field_hash(field), field) != nullptr;
}

bool Hash::set(std::string_view field, std::string_view value) {
  const bool added = insert(field, value);
  const uint64_t max_value = g_hash_listpack_value.load(std::memory_order_relaxed);
  if (body_.count > g_hash_listpack_entries.load(std::memory_order_relaxed) || field.size() > max_value ||
      value.size() > max_value) {
    body_.big = 1;
  }
  return added;
}

bool Hash::add_member(std::string_view member) {
  const bool added = insert(member, {});
  if (body_.count > g_intset_entries.load(std::memory_order_relaxed) || !parse_int64(member)) body_.big = 1;
  return added;
}

bool Hash::insert(std::string_view field, std::string_view value) {
  const uint64_t h = field_hash(field);
  const HashLeaf* old = find_leaf(body_.root, h, field);
  HashLeaf* l = make_leaf(h, old != nullptr ? old->seq : body_.next_seq, field, value);
  Delta d;
  HashNode* root;
  if (body_.root == nullptr) {
    d.added(l);
    root = l;
  } else {
    try {
      root = assoc(body_.root, 0, l, &d);
    } catch (...) {
      release(l);  // an allocation failed before l was placed
      throw;
    }
  }
  release(body_.root);
  body_.root = root;
  body_.node_bytes = static_cast<uint64_t>(static_cast<int64_t>(body_.node_bytes) + d.bytes);
  if (old == nullptr) {
    ++body_.count;
    ++body_.next_seq;
  }
  return old == nullptr;
}

bool Hash::erase(std::string_view field) {
  if (body_.root == nullptr) return false;
  bool removed = false;
  Delta d;
  HashNode* root = dissoc(body_.root, 0, field_hash(field), field, &removed, &d);
  if (!removed) return false;
  release(body_.root);
  body_.root = root;
  body_.node_bytes = static_cast<uint64_t>(static_cast<int64_t>(body_.node_bytes) + d.bytes);
  --body_.count;
  if (body_.count == 0) body_ = HashBody{};
  return true;
}

std::vector<HashEntry> Hash::entries() const {
  std::vector<const HashLeaf*> leaves;
  if (body_.root == nullptr) return {};
  leaves.reserve(body_.count);
  walk(body_.root, &leaves);
  if (!body_.big) {
    std::sort(leaves.begin(), leaves.end(), [](const HashLeaf* a, const HashLeaf* b) { return a->seq < b->seq; });
  }
  std::vector<HashEntry> out;
  out.reserve(leaves.size());
  for (const HashLeaf* l : leaves) out.push_back({l->field(), l->value()});
  return out;
}

uint64_t Hash::scan(uint64_t cursor, size_t count, std::vector<HashEntry>* out) const {
  if (body_.root == nullptr) return 0;
  ScanWalk w{cursor, count == 0 ? 1 : count, out};
  w.visit(body_.root, 0, 0);
  return w.done ? w.next : 0;
}

HashEntry Hash::at(uint64_t i) const {
  const HashNode* n = body_.root;
  while (n != nullptr) {
    switch (n->kind) {
      case NodeKind::kLeaf: {
        auto* l = static_cast<const HashLeaf*>(n);
        return {l->field(), l->value()};
      }
      case NodeKind::kCollision: {
        auto* c = static_cast<const HashCollision*>(n);
        const HashLeaf* l = c->leaf[i < c->n ? i : c->n - 1];
        return {l->field(), l->value()};
      }
      case NodeKind::kBranch: {
        auto* b = static_cast<const HashBranch*>(n);
        const int k = std::popcount(b->bitmap);
        const HashNode* next = b->child[k - 1];
        for (int j = 0; j < k; ++j) {
          const uint64_t m = leaves_of(b->child[j]);
          if (i < m) {
            next = b->child[j];
            break;
          }
          i -= m;
        }
        n = next;
        break;
      }
    }
  }
  return {};
}

}  // namespace tmkv::store
