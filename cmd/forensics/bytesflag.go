package main

import (
	"fmt"
	"strconv"
	"strings"
)

// bytesFlag is a size given as a number of bytes with an optional unit:
// KiB, MiB, GiB (powers of 1024), or KB, MB, GB (powers of 1000).
type bytesFlag int64

// UnmarshalText parses a size.
func (b *bytesFlag) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult {
		return fmt.Errorf("bad size %q: want a number with an optional unit (KiB, MiB, GiB)", string(text))
	}
	*b = bytesFlag(n * mult)
	return nil
}
