//go:build linux

package exposure

import "syscall"

// mapFlags map a file shared and read-only; its pages are read ahead
// (adviseWillNeed) but only enter the resident set as they are parsed.
const mapFlags = syscall.MAP_SHARED

// adviseWillNeed starts reading the mapped file ahead into the page cache.
func adviseWillNeed(b []byte) { syscall.Madvise(b, syscall.MADV_WILLNEED) }
