//go:build !linux

package exposure

import "unsafe"

// adviseHugePages does nothing where the kernel has no such advice.
func adviseHugePages(unsafe.Pointer, uintptr) {}

func adviseNoHugePages(addr, size uintptr) {}
