//go:build unix && !linux

package exposure

import "syscall"

const mapFlags = syscall.MAP_SHARED

// adviseWillNeed and adviseDontNeed do nothing: package syscall has no
// madvise on these systems, and clean pages of a file mapping are the
// first the kernel reclaims anyway.
func adviseWillNeed(b []byte) {}

func adviseDontNeed(b []byte) {}
