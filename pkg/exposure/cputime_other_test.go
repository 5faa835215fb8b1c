//go:build !unix

package exposure

// ixCPUTime is not measured on this system.
func ixCPUTime() float64 { return 0 }
