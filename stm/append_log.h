// AppendLog<T>: the growable array behind a transaction's read set and redo
// log. Like std::vector for trivially copyable T, but its append keeps the
// reallocation out of line, so the inlined fast path is a compare and a
// store. That matters more than it looks: std::vector::push_back inlines
// its reallocation code, which makes GCC save and restore six callee-saved
// registers around every transactional read. Those extra loads and stores
// sit in the CPU's load and store queues behind a cache-missing read and
// keep it from reaching the transaction's next (also missing) read, so the
// two misses are taken one after the other instead of together.
// Owner-thread only.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>

namespace tmkv::stm {

template <class T>
class AppendLog {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit AppendLog(size_t initial_capacity = 16)
      : data_(std::make_unique_for_overwrite<T[]>(initial_capacity)), cap_(initial_capacity) {}

  void push_back(const T& v) {
    if (size_ == cap_) [[unlikely]] grow();
    data_[size_++] = v;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  // Gives back memory a huge transaction made the log take. Drops the
  // contents: call it on an empty (cleared) log.
  void shrink_to(size_t capacity) {
    if (cap_ <= capacity) return;
    data_ = std::make_unique_for_overwrite<T[]>(capacity);
    cap_ = capacity;
    size_ = 0;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  bool empty() const { return size_ == 0; }
  T* begin() { return data_.get(); }
  T* end() { return data_.get() + size_; }
  const T* begin() const { return data_.get(); }
  const T* end() const { return data_.get() + size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& back() { return data_[size_ - 1]; }

 private:
  [[gnu::noinline]] void grow() {
    auto bigger = std::make_unique_for_overwrite<T[]>(cap_ * 2);
    std::memcpy(bigger.get(), data_.get(), size_ * sizeof(T));
    data_ = std::move(bigger);
    cap_ *= 2;
  }

  std::unique_ptr<T[]> data_;
  size_t size_ = 0;
  size_t cap_;
};

}  // namespace tmkv::stm
