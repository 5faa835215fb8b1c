//go:build linux

package exposure

import (
	"syscall"
	"unsafe"
)

// adviseHugePages advises MADV_HUGEPAGE for the whole 2 MiB pages inside
// [p, p+size). It is advice: an error (a kernel without THP) changes
// nothing.
func adviseHugePages(p unsafe.Pointer, size uintptr) {
	const huge = 2 << 20
	start := (uintptr(p) + huge - 1) &^ (huge - 1)
	end := (uintptr(p) + size) &^ (huge - 1)
	if end > start {
		syscall.Syscall(syscall.SYS_MADVISE, start, end-start, syscall.MADV_HUGEPAGE)
	}
}
