//go:build linux

package exposure

import "syscall"

// mapFlags map a file with its pages read in at once (fewer faults).
const mapFlags = syscall.MAP_SHARED | syscall.MAP_POPULATE
