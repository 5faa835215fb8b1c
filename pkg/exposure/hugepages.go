package exposure

import (
	"runtime"
	"sync"
	"unsafe"
)

// largeSlice returns make([]T, n, c), asking the kernel to back it with
// transparent huge pages where it can (Linux, THP in "always" or
// "madvise" mode) when it is large, and records the memory advised in h.
// It is for the large arrays read at random (a request's path, a
// person's recordings): with 4 KiB pages every such read risks a TLB
// miss, costly under virtualisation, and filling them takes a page fault
// per 4 KiB.
//
// The advice stays on the memory after Go frees it and reuses it for
// other objects, and the kernel's khugepaged then fills in whole huge
// pages around the few used ones, which grows the resident set. So h's
// owner takes the advice back (h.release) when the arrays are dropped:
// the index's parts' buffers once the index is built, the Index's and
// the Engine's arrays when they are collected (releaseWith).
func largeSlice[T any](h *hugeRegions, n, c int) []T {
	s := make([]T, n, c)
	var zero T
	if size := uintptr(c) * unsafe.Sizeof(zero); size >= largeSliceMin {
		p := unsafe.Pointer(unsafe.SliceData(s))
		adviseHugePages(uintptr(p), size)
		h.mu.Lock()
		h.r = append(h.r, hugeRegion{uintptr(p), size})
		h.mu.Unlock()
	}
	return s
}

// largeSliceMin is the size from which largeSlice advises huge pages:
// two of them, so that at least one whole aligned huge page lies inside.
const largeSliceMin = 4 << 20

// hugeRegions is the memory largeSlice advised for one owner. It is safe
// for concurrent use.
type hugeRegions struct {
	mu sync.Mutex
	r  []hugeRegion
}

// A hugeRegion is an address, not a pointer, so that it does not keep the
// memory alive.
type hugeRegion struct{ addr, size uintptr }

// release takes the advice back.
func (h *hugeRegions) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.r {
		adviseNoHugePages(r.addr, r.size)
	}
	h.r = nil
}

// releaseWith releases h when owner, which holds the advised arrays, is
// collected.
func releaseWith[T any](owner *T, h *hugeRegions) {
	runtime.AddCleanup(owner, (*hugeRegions).release, h)
}
