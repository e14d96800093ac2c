#pragma once
// Vectors for large buffers that are written before they are read: the control variate's tables
// (every coefficient written once by the backward pass) and the engine's tape of closes (every
// close written by the kernel before the controls read it). std::vector's resize writes zeros
// first; on the seed a sixth of a small run's time went to them, and to the page faults of
// touching fresh memory twice. Buffers of 2 MB or more also ask for huge pages (fewer faults,
// fewer TLB misses).

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace thesis {

namespace detail {
/// `bytes` of memory, aligned to 2 MB and advised for huge pages where that large (std::free
/// releases it). Throws std::bad_alloc.
void* allocate_unzeroed(std::size_t bytes);
void release_unzeroed(void* p) noexcept;
}  // namespace detail

/// An allocator whose construct() with no arguments leaves a trivially constructible T unset.
template <class T>
struct Unzeroed : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = Unzeroed<U>;
    };
    Unzeroed() = default;
    template <class U>
    Unzeroed(const Unzeroed<U>&) noexcept {}
    Unzeroed select_on_container_copy_construction() const { return {}; }
    T* allocate(std::size_t n) { return static_cast<T*>(detail::allocate_unzeroed(n * sizeof(T))); }
    void deallocate(T* p, std::size_t) noexcept { detail::release_unzeroed(p); }
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};
template <class T, class U>
bool operator==(const Unzeroed<T>&, const Unzeroed<U>&) noexcept {
    return true;
}

/// A vector whose resize() leaves new elements unset (Unzeroed).
template <class T>
using UnzeroedVector = std::vector<T, Unzeroed<T>>;

}  // namespace thesis
