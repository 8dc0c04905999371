#include "store/list_value.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstring>
#include <utility>

#include "store/allocator_stats.h"

namespace tmkv::store {

// A leaf holds its elements back to back in `data`, element j ending at
// ends[j] (4 bytes of overhead per element, as compact as a listpack's few);
// an inner node holds `children`. Immutable once built, but for `refs`.
struct ListNode {
  std::atomic<uint32_t> refs{1};  // see the header: relaxed up, acq_rel down
  bool leaf = true;
  uint64_t count = 0;  // elements in this subtree
  uint64_t bytes = 0;  // allocator bytes of this subtree's nodes
  std::string data;
  std::vector<uint32_t> ends;
  std::vector<ListNode*> children;

  std::string_view item(size_t j) const {
    const uint32_t begin = j == 0 ? 0 : ends[j - 1];
    return std::string_view(data).substr(begin, ends[j] - begin);
  }
};

namespace {

// A leaf's contents while they are built.
struct LeafItems {
  std::string data;
  std::vector<uint32_t> ends;
  void add(std::string_view v) {
    data.append(v);
    ends.push_back(static_cast<uint32_t>(data.size()));
  }
  size_t size() const { return ends.size(); }
};

ListNode* retain(ListNode* n) {
  n->refs.fetch_add(1, std::memory_order_relaxed);  // the caller holds a reference already
  return n;
}

// The last release frees the node and releases its children; the depth is
// the tree's height (a few levels).
void release(ListNode* n) {
  if (n == nullptr || n->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  for (ListNode* c : n->children) release(c);
  delete n;
}

// Fills in a new node's count and bytes from its contents.
ListNode* finish(ListNode* n) {
  uint64_t bytes = allocation_size(sizeof(ListNode));
  if (n->leaf) {
    n->count = n->ends.size();
    if (n->ends.capacity() != 0) bytes += allocation_size(n->ends.capacity() * sizeof(uint32_t));
    if (n->data.capacity() > std::string().capacity()) bytes += allocation_size(n->data.capacity() + 1);
  } else {
    n->count = 0;
    if (n->children.capacity() != 0) bytes += allocation_size(n->children.capacity() * sizeof(ListNode*));
    for (const ListNode* c : n->children) {
      n->count += c->count;
      bytes += c->bytes;
    }
  }
  n->bytes = bytes;
  return n;
}

ListNode* make_leaf(LeafItems items) {
  auto* n = new ListNode;
  items.data.shrink_to_fit();
  items.ends.shrink_to_fit();
  n->data = std::move(items.data);
  n->ends = std::move(items.ends);
  return finish(n);
}

ListNode* make_leaf(std::string_view v) {
  LeafItems items;
  items.add(v);
  return make_leaf(std::move(items));
}

// Takes over the references in `children`.
ListNode* make_inner(std::vector<ListNode*> children) {
  auto* n = new ListNode;
  n->leaf = false;
  n->children = std::move(children);
  return finish(n);
}

bool leaf_full(const ListNode* l, size_t adding) {
  return l->ends.size() >= List::kLeafMax || (!l->ends.empty() && l->data.size() + adding > List::kLeafMaxBytes);
}

// Leaf n's elements with `value` at position i: inserted (replace false) or
// in place of element i (replace true); or without element i (value null).
LeafItems edited(const ListNode* n, uint64_t i, const std::string_view* value, bool replace) {
  LeafItems out;
  out.data.reserve(n->data.size() + (value ? value->size() : 0));
  out.ends.reserve(n->ends.size() + 1);
  for (size_t j = 0; j <= n->ends.size(); ++j) {
    if (j == i && value != nullptr) out.add(*value);
    if (j == n->ends.size()) break;
    if (j == i && (replace || value == nullptr)) continue;
    out.add(n->item(j));
  }
  return out;
}

// The child holding position i of inner node n, and i within it. For an
// insert (`inserting`), position == a child's count belongs to that child,
// so appending goes to the last child rather than past it.
size_t child_at(const ListNode* n, uint64_t* i, bool inserting) {
  const size_t last = n->children.size() - 1;
  for (size_t k = 0; k < last; ++k) {
    const uint64_t c = n->children[k]->count;
    if (*i < c || (inserting && *i == c)) return k;
    *i -= c;
  }
  return last;
}

// The children of n with child k replaced by `with` (none if empty), each
// other child retained: the path copy of one inner node.
std::vector<ListNode*> children_replacing(const ListNode* n, size_t k, std::span<ListNode* const> with) {
  std::vector<ListNode*> out;
  out.reserve(n->children.size() + with.size());
  for (size_t j = 0; j < n->children.size(); ++j) {
    if (j == k) {
      out.insert(out.end(), with.begin(), with.end());
    } else {
      out.push_back(retain(n->children[j]));
    }
  }
  return out;
}

// One node, or two where it split.
struct Split {
  ListNode* left;
  ListNode* right = nullptr;
};

Split split_inner(std::vector<ListNode*> children) {
  if (children.size() <= List::kFanout) return {make_inner(std::move(children))};
  const auto half = static_cast<std::ptrdiff_t>(children.size() / 2);
  std::vector<ListNode*> right(children.begin() + half, children.end());
  children.resize(static_cast<size_t>(half));
  return {make_inner(std::move(children)), make_inner(std::move(right))};
}

Split insert_at(const ListNode* n, uint64_t i, std::string_view v) {
  if (n->leaf) {
    if (leaf_full(n, v.size())) {
      // At either end of the list a new leaf takes the element, so pushes
      // leave full leaves behind them; inside, the leaf splits in halves.
      if (i == n->count) return {retain(const_cast<ListNode*>(n)), make_leaf(v)};
      if (i == 0) return {make_leaf(v), retain(const_cast<ListNode*>(n))};
      const LeafItems all = edited(n, i, &v, false);
      LeafItems left, right;
      for (size_t j = 0; j < all.size(); ++j) {
        const uint32_t begin = j == 0 ? 0 : all.ends[j - 1];
        (j < all.size() / 2 ? left : right).add(std::string_view(all.data).substr(begin, all.ends[j] - begin));
      }
      return {make_leaf(std::move(left)), make_leaf(std::move(right))};
    }
    return {make_leaf(edited(n, i, &v, false))};
  }
  const size_t k = child_at(n, &i, true);
  const Split s = insert_at(n->children[k], i, v);
  ListNode* const with[] = {s.left, s.right};
  return split_inner(children_replacing(n, k, std::span(with, s.right ? 2 : 1)));
}

// The subtree without position i; nullptr if that was its last element.
ListNode* erase_at(const ListNode* n, uint64_t i) {
  if (n->count == 1) return nullptr;
  if (n->leaf) return make_leaf(edited(n, i, nullptr, false));
  const size_t k = child_at(n, &i, false);
  ListNode* c = erase_at(n->children[k], i);
  ListNode* const with[] = {c};
  return make_inner(children_replacing(n, k, std::span(with, c ? 1 : 0)));
}

ListNode* set_at(const ListNode* n, uint64_t i, std::string_view v) {
  if (n->leaf) return make_leaf(edited(n, i, &v, true));
  const size_t k = child_at(n, &i, false);
  ListNode* const with[] = {set_at(n->children[k], i, v)};
  return make_inner(children_replacing(n, k, with));
}

// Forward over [from, to] of n's positions; false once fn said stop.
bool walk_forward(const ListNode* n, uint64_t from, uint64_t to, const std::function<bool(std::string_view)>& fn) {
  if (n->leaf) {
    for (uint64_t j = from; j <= to; ++j) {
      if (!fn(n->item(j))) return false;
    }
    return true;
  }
  uint64_t offset = 0;
  for (const ListNode* c : n->children) {
    const uint64_t end = offset + c->count;  // one past c's last position
    if (end > from && offset <= to) {
      if (!walk_forward(c, std::max(from, offset) - offset, std::min(to, end - 1) - offset, fn)) return false;
    }
    if (end > to) break;
    offset = end;
  }
  return true;
}

// Backward from position `from` down to `to` (from >= to).
bool walk_back(const ListNode* n, uint64_t from, uint64_t to, const std::function<bool(std::string_view)>& fn) {
  if (n->leaf) {
    for (uint64_t j = from + 1; j-- > to;) {
      if (!fn(n->item(j))) return false;
    }
    return true;
  }
  uint64_t end = n->count;  // one past the current child's last position
  for (size_t k = n->children.size(); k-- > 0;) {
    const ListNode* c = n->children[k];
    const uint64_t offset = end - c->count;
    if (offset <= from && end > to) {
      if (!walk_back(c, std::min(from, end - 1) - offset, std::max(to, offset) - offset, fn)) return false;
    }
    if (offset <= to) break;
    end = offset;
  }
  return true;
}

int height(const ListNode* n) { return n == nullptr ? 0 : n->leaf ? 1 : 1 + height(n->children.front()); }

bool consistent(const ListNode* n, int depth, int leaf_depth) {
  if (n->leaf) {
    return depth == leaf_depth && !n->ends.empty() && n->count == n->ends.size() &&
           n->ends.back() == n->data.size() && std::is_sorted(n->ends.begin(), n->ends.end()) &&
           n->ends.size() <= List::kLeafMax;
  }
  if (n->children.empty() || n->children.size() > List::kFanout) return false;
  uint64_t count = 0;
  uint64_t bytes = allocation_size(sizeof(ListNode)) + allocation_size(n->children.capacity() * sizeof(ListNode*));
  for (const ListNode* c : n->children) {
    if (!consistent(c, depth + 1, leaf_depth)) return false;
    count += c->count;
    bytes += c->bytes;
  }
  return count == n->count && bytes == n->bytes;
}

ListNode* body_root(const char* body_bytes) {
  ListBody b;
  std::memcpy(&b, body_bytes, sizeof b);
  return b.root;
}

}  // namespace

void list_body_retain(const char* body_bytes) { retain(body_root(body_bytes)); }
void list_body_release(const char* body_bytes) { release(body_root(body_bytes)); }
size_t list_body_node_bytes(const char* body_bytes) { return body_root(body_bytes)->bytes; }

List List::from_body(std::string_view body_bytes) {
  assert(body_bytes.size() == sizeof(ListBody));
  List l;
  l.root_ = retain(body_root(body_bytes.data()));
  return l;
}

List List::build(std::span<const std::string_view> values) {
  std::vector<ListNode*> level;
  LeafItems items;
  for (std::string_view v : values) {
    if (items.size() >= kLeafMax || (items.size() != 0 && items.data.size() + v.size() > kLeafMaxBytes)) {
      level.push_back(make_leaf(std::move(items)));
      items = {};
    }
    items.add(v);
  }
  if (items.size() != 0) level.push_back(make_leaf(std::move(items)));
  while (level.size() > 1) {
    std::vector<ListNode*> up;
    for (size_t i = 0; i < level.size(); i += kFanout) {
      const size_t end = std::min(level.size(), i + kFanout);
      up.push_back(make_inner(std::vector<ListNode*>(level.begin() + static_cast<std::ptrdiff_t>(i),
                                                     level.begin() + static_cast<std::ptrdiff_t>(end))));
    }
    level = std::move(up);
  }
  List l;
  l.root_ = level.empty() ? nullptr : level.front();
  return l;
}

List::List(const List& o) : root_(o.root_ ? retain(o.root_) : nullptr) {}
List& List::operator=(const List& o) {
  if (this != &o) reset(o.root_ ? retain(o.root_) : nullptr);
  return *this;
}
List::List(List&& o) noexcept : root_(std::exchange(o.root_, nullptr)) {}
List& List::operator=(List&& o) noexcept {
  if (this != &o) reset(std::exchange(o.root_, nullptr));
  return *this;
}
List::~List() { release(root_); }

void List::reset(ListNode* root) {
  // A root with one child gives way to it (erase can leave one).
  while (root != nullptr && !root->leaf && root->children.size() == 1) {
    ListNode* child = retain(root->children.front());
    release(root);
    root = child;
  }
  ListNode* old = std::exchange(root_, root);
  release(old);
}

uint64_t List::size() const { return root_ ? root_->count : 0; }

std::string List::body_bytes() const {
  ListBody b{root_};
  return std::string(reinterpret_cast<const char*>(&b), sizeof b);
}

uint64_t List::node_bytes() const { return root_ ? root_->bytes : 0; }

std::string_view List::at(uint64_t i) const {
  const ListNode* n = root_;
  while (!n->leaf) n = n->children[child_at(n, &i, false)];
  return n->item(i);
}

uint64_t List::partition_point(const std::function<bool(std::string_view)>& after) const {
  if (root_ == nullptr) return 0;
  auto first_of = [](const ListNode* n) {
    while (!n->leaf) n = n->children.front();
    return n->item(0);
  };
  uint64_t base = 0;
  const ListNode* n = root_;
  while (!n->leaf) {
    // The first child (from the second on) whose first element is `after`:
    // the answer lies in the child before it, or is that child's first
    // element, which the search of the child before finds as its end.
    size_t lo = 1, hi = n->children.size();
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (after(first_of(n->children[mid]))) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    for (size_t j = 0; j + 1 < lo; ++j) base += n->children[j]->count;
    n = n->children[lo - 1];
  }
  size_t lo = 0, hi = n->ends.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (after(n->item(mid))) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return base + lo;
}

void List::insert(uint64_t i, std::string_view value) {
  if (root_ == nullptr) {
    reset(make_leaf(value));
    return;
  }
  const Split s = insert_at(root_, i, value);
  reset(s.right ? make_inner({s.left, s.right}) : s.left);
}

void List::erase(uint64_t i) { reset(erase_at(root_, i)); }

void List::set(uint64_t i, std::string_view value) { reset(set_at(root_, i, value)); }

void List::walk(uint64_t from, uint64_t to, const std::function<bool(std::string_view)>& fn) const {
  walk_forward(root_, from, to, fn);
}

void List::walk_backward(uint64_t from, uint64_t to, const std::function<bool(std::string_view)>& fn) const {
  walk_back(root_, from, to, fn);
}

int List::height_for_testing() const { return height(root_); }

bool List::consistent_for_testing() const { return root_ == nullptr || consistent(root_, 1, height(root_)); }

}  // namespace tmkv::store
