// An immutable value shared by a reference count.
#ifndef SONDAR_SHARED_H_
#define SONDAR_SHARED_H_

#include <atomic>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace sondar {

// What std::shared_ptr<const T> gives the core, without its control block.
// That block is polymorphic, and its base's vtable lives in libc++'s own
// objects, built with RTTI: its type_info keeps the C++ ABI's dynamic_cast
// and catch matching (2.4 KB of code that nothing calls) in the shop's wasm
// module. Here the count sits beside the value and nothing is virtual. The
// count is atomic because the collector hands surveys between threads; in the
// single-threaded wasm build it compiles to plain loads and stores.
template <typename T>
class Shared {
 public:
  Shared() noexcept = default;
  Shared(std::nullptr_t) noexcept {}  // NOLINT: like a null pointer
  Shared(const Shared& other) noexcept : block_(other.block_) { Retain(); }
  Shared(Shared&& other) noexcept : block_(other.block_) {
    other.block_ = nullptr;
  }
  Shared& operator=(Shared other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~Shared() { Release(); }

  // The value, built from `args` in one allocation with its count.
  template <typename... Args>
  static Shared Make(Args&&... args) {
    Shared made;
    made.block_ = new Block(std::forward<Args>(args)...);
    return made;
  }

  T* get() const noexcept { return block_ ? &block_->value : nullptr; }
  T& operator*() const noexcept { return block_->value; }
  T* operator->() const noexcept { return &block_->value; }
  explicit operator bool() const noexcept { return block_ != nullptr; }

  friend bool operator==(const Shared& a, const Shared& b) noexcept {
    return a.block_ == b.block_;
  }
  friend bool operator!=(const Shared& a, const Shared& b) noexcept {
    return a.block_ != b.block_;
  }
  friend bool operator==(const Shared& a, std::nullptr_t) noexcept {
    return !a.block_;
  }
  friend bool operator!=(const Shared& a, std::nullptr_t) noexcept {
    return a.block_ != nullptr;
  }

 private:
  struct Block {
    template <typename... Args>
    explicit Block(Args&&... args) : value(std::forward<Args>(args)...) {}
    std::atomic<std::size_t> count{1};
    std::remove_const_t<T> value;
  };

  void Retain() const noexcept {
    if (block_) block_->count.fetch_add(1, std::memory_order_relaxed);
  }
  void Release() noexcept {
    // The last owner must see every write the others made before theirs went.
    if (block_ && block_->count.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      delete block_;
    }
    block_ = nullptr;
  }

  Block* block_ = nullptr;
};

}  // namespace sondar

#endif  // SONDAR_SHARED_H_
