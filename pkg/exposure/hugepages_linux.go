//go:build linux

package exposure

import "syscall"

// adviseHugePages advises MADV_HUGEPAGE for the whole 2 MiB pages inside
// [addr, addr+size). It is advice: an error (a kernel without THP)
// changes nothing.
func adviseHugePages(addr, size uintptr) { madviseHuge(addr, size, syscall.MADV_HUGEPAGE) }

// adviseNoHugePages advises MADV_NOHUGEPAGE for the range adviseHugePages
// advised.
func adviseNoHugePages(addr, size uintptr) { madviseHuge(addr, size, syscall.MADV_NOHUGEPAGE) }

func madviseHuge(addr, size uintptr, advice int) {
	const huge = 2 << 20
	start := (addr + huge - 1) &^ (huge - 1)
	end := (addr + size) &^ (huge - 1)
	if end > start {
		syscall.Syscall(syscall.SYS_MADVISE, start, end-start, uintptr(advice))
	}
}
