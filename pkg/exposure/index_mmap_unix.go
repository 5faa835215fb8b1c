//go:build unix

package exposure

import (
	"os"
	"syscall"
	"unsafe"
)

// mapFile maps a file read-only into memory, sparing a copy of a large
// index; release unmaps it. Nothing taken from the data may outlive
// release: the readers copy what they keep. Files that cannot be mapped
// are read, and drop is nil.
//
// drop gives back the pages of a part of data that has been read: they
// leave the process's resident set (a 442 MB index otherwise counts whole
// in the run's peak RSS while it is parsed) and come back from the page
// cache if read again.
func mapFile(name string) (data []byte, release func(), drop func([]byte), err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, nil, err
	}
	if size := st.Size(); st.Mode().IsRegular() && size > 0 && size == int64(int(size)) {
		if data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, mapFlags); err == nil {
			adviseWillNeed(data)
			return data, func() { syscall.Munmap(data) }, dropPages, nil
		}
	}
	data, err = os.ReadFile(name)
	return data, func() {}, nil, err
}

// dropPages advises the kernel that the whole pages inside b, a part of a
// read-only file mapping, are not needed now.
func dropPages(b []byte) {
	const page = 4096 // a multiple of the page size is safe; larger pages only drop less
	if len(b) < 2*page {
		return
	}
	start := uintptr(unsafe.Pointer(&b[0]))
	from := int((page - start%page) % page)
	to := from + (len(b)-from)/page*page
	if to > from {
		adviseDontNeed(b[from:to])
	}
}
