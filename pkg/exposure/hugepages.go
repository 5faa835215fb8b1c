package exposure

import "unsafe"

// largeSlice returns make([]T, n, c), asking the kernel to back it with
// transparent huge pages where it can (Linux, THP in "always" or
// "madvise" mode) when it is large. It is for the arrays that live as long
// as the Index or the Engine and are read at random (a request's path, a
// person's recordings): with 4 KiB pages every such read risks a TLB miss,
// costly under virtualisation, and filling them takes a page fault per
// 4 KiB. Arrays dropped early are not advised: the advice stays on the
// memory after Go reuses it, and the kernel's khugepaged may then fill in
// whole huge pages around a few used ones, which would grow the resident
// set. Memory the advice cannot cover is left as it is.
func largeSlice[T any](n, c int) []T {
	s := make([]T, n, c)
	var zero T
	if size := uintptr(c) * unsafe.Sizeof(zero); size >= largeSliceMin {
		adviseHugePages(unsafe.Pointer(unsafe.SliceData(s)), size)
	}
	return s
}

// largeSliceMin is the size from which largeSlice advises huge pages:
// two of them, so that at least one whole aligned huge page lies inside.
const largeSliceMin = 4 << 20

// A hugeRegion is memory a transientSlice advised: an address, not a
// pointer, so that it does not keep the memory alive.
type hugeRegion struct{ addr, size uintptr }

// transientSlice is largeSlice for an array dropped early (the index
// parts' buffers while the index is built): it records what it advised in
// regions, for unadviseHuge to take back when the array is dropped.
func transientSlice[T any](n, c int, regions *[]hugeRegion) []T {
	s := make([]T, n, c)
	var zero T
	if size := uintptr(c) * unsafe.Sizeof(zero); size >= largeSliceMin {
		p := unsafe.Pointer(unsafe.SliceData(s))
		adviseHugePages(p, size)
		*regions = append(*regions, hugeRegion{uintptr(p), size})
	}
	return s
}

// unadviseHuge takes back the advice of transientSlice: memory Go reuses
// later gets no huge pages filled in around it.
func unadviseHuge(regions []hugeRegion) {
	for _, r := range regions {
		adviseNoHugePages(r.addr, r.size)
	}
}
