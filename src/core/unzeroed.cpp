// Memory for UnzeroedVector (unzeroed.h).
#include "thesis/core/unzeroed.h"

#include <algorithm>
#include <cstdlib>

#include <sys/mman.h>

namespace thesis::detail {

void* allocate_unzeroed(std::size_t bytes) {
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    if (bytes < kHuge) {
        void* p = std::malloc(std::max<std::size_t>(bytes, 1));
        if (p == nullptr) throw std::bad_alloc();
        return p;
    }
    const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (p == nullptr) throw std::bad_alloc();
    ::madvise(p, rounded, MADV_HUGEPAGE);
    return p;
}

void release_unzeroed(void* p) noexcept { std::free(p); }

}  // namespace thesis::detail
