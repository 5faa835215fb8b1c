//go:build linux

package exposure

import "syscall"

// mapFlags map a file shared and read-only; its pages are read ahead
// (adviseWillNeed) but only enter the resident set as they are parsed.
const mapFlags = syscall.MAP_SHARED

// adviseWillNeed starts reading the mapped file ahead into the page cache.
func adviseWillNeed(b []byte) { syscall.Madvise(b, syscall.MADV_WILLNEED) }

// adviseDontNeed gives the pages of b, whole pages of a read-only file
// mapping, back: they come back from the page cache if read again.
func adviseDontNeed(b []byte) { syscall.Madvise(b, syscall.MADV_DONTNEED) }
