//go:build unix && !linux

package exposure

import "syscall"

const mapFlags = syscall.MAP_SHARED

func adviseWillNeed(b []byte) {}
