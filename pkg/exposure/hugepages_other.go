//go:build !linux

package exposure

// adviseHugePages and adviseNoHugePages do nothing where the kernel has
// no such advice.
func adviseHugePages(addr, size uintptr) {}

func adviseNoHugePages(addr, size uintptr) {}
