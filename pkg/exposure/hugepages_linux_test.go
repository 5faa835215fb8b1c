//go:build linux

package exposure

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// vmFlags returns the VmFlags of the mapping holding addr, from
// /proc/self/smaps ("hg": advised for huge pages, "nh": advised against).
func vmFlags(t *testing.T, addr uintptr) []string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0:
		case !strings.HasSuffix(fields[0], ":"): // a mapping: "lo-hi perms ..."
			var lo, hi uintptr
			n, _ := fmt.Sscanf(fields[0], "%x-%x", &lo, &hi)
			in = n == 2 && lo <= addr && addr < hi
		case in && fields[0] == "VmFlags:":
			return fields[1:]
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return nil
}

// TestLargeSliceAdvice: a large slice's whole huge pages are advised for
// huge pages; a transient one's advice is taken back; a small one is
// left alone.
func TestLargeSliceAdvice(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("no transparent huge pages:", err)
	}
	big := largeSlice[uint64](0, 2<<20) // 16 MiB
	mid := uintptr(unsafe.Pointer(unsafe.SliceData(big))) + 8<<20
	if f := vmFlags(t, mid); !slices.Contains(f, "hg") {
		t.Errorf("largeSlice of 16 MiB: VmFlags %v, want hg", f)
	}

	var regions []hugeRegion
	tr := transientSlice[byte](0, 16<<20, &regions)
	mid = uintptr(unsafe.Pointer(unsafe.SliceData(tr))) + 8<<20
	if len(regions) != 1 {
		t.Fatalf("transientSlice recorded %d regions, want 1", len(regions))
	}
	if f := vmFlags(t, mid); !slices.Contains(f, "hg") {
		t.Errorf("transientSlice of 16 MiB: VmFlags %v, want hg", f)
	}
	unadviseHuge(regions)
	if f := vmFlags(t, mid); slices.Contains(f, "hg") || !slices.Contains(f, "nh") {
		t.Errorf("after unadviseHuge: VmFlags %v, want nh and no hg", f)
	}

	var none []hugeRegion
	small := transientSlice[byte](0, 1<<20, &none)
	if len(none) != 0 {
		t.Errorf("transientSlice of 1 MiB recorded %d regions", len(none))
	}
	_ = small
}
