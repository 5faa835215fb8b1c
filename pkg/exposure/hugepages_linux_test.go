//go:build linux

package exposure

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// vmFlags returns the VmFlags of the mapping holding addr, from
// /proc/self/smaps ("hg": advised for huge pages, "nh": advised against).
func vmFlags(t *testing.T, addr uintptr) []string {
	t.Helper()
	f := vmFlagsOf(addr)
	if f == nil {
		t.Fatalf("no mapping holds %#x", addr)
	}
	return f
}

// TestLargeSliceAdvice: a large slice's whole huge pages are advised for
// huge pages and recorded; release takes the advice back, as does the
// collection of an owner given to releaseWith; a small slice is left
// alone.
func TestLargeSliceAdvice(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("no transparent huge pages:", err)
	}
	middle := func(s []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(s))) + uintptr(cap(s)/2) }

	var h hugeRegions
	big := largeSlice[byte](&h, 0, 16<<20)
	if len(h.r) != 1 {
		t.Fatalf("largeSlice of 16 MiB recorded %d regions, want 1", len(h.r))
	}
	if f := vmFlags(t, middle(big)); !slices.Contains(f, "hg") {
		t.Errorf("largeSlice of 16 MiB: VmFlags %v, want hg", f)
	}
	h.release()
	if f := vmFlags(t, middle(big)); slices.Contains(f, "hg") || !slices.Contains(f, "nh") {
		t.Errorf("after release: VmFlags %v, want nh and no hg", f)
	}

	var none hugeRegions
	largeSlice[byte](&none, 0, 1<<20)
	if len(none.r) != 0 {
		t.Errorf("largeSlice of 1 MiB recorded %d regions", len(none.r))
	}

	// An owner collected: its cleanup releases the advice.
	type owner struct{ b []byte }
	o := &owner{}
	oh := &hugeRegions{}
	o.b = largeSlice[byte](oh, 0, 16<<20)
	addr := middle(o.b)
	releaseWith(o, oh)
	o = nil
	left := func() int { oh.mu.Lock(); defer oh.mu.Unlock(); return len(oh.r) }
	for i := 0; i < 100 && left() > 0; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := left(); n != 0 {
		t.Errorf("owner collected: %d regions still advised", n)
	} else if f := vmFlagsOf(addr); f != nil && slices.Contains(f, "hg") {
		t.Errorf("owner collected: VmFlags %v, want no hg", f)
	}
}

// vmFlagsOf returns the VmFlags of the mapping holding addr, nil when
// none does or smaps cannot be read.
func vmFlagsOf(addr uintptr) []string {
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return nil
	}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case !strings.HasSuffix(fields[0], ":"):
			var lo, hi uintptr
			n, _ := fmt.Sscanf(fields[0], "%x-%x", &lo, &hi)
			in = n == 2 && lo <= addr && addr < hi
		case in && fields[0] == "VmFlags:":
			return fields[1:]
		}
	}
	return nil
}
