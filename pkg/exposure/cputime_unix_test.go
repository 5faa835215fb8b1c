//go:build unix

package exposure

import (
	"syscall"
	"time"
)

// ixCPUTime returns the process's user and system CPU time in seconds.
func ixCPUTime() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
