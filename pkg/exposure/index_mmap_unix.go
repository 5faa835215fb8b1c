//go:build unix

package exposure

import (
	"os"
	"syscall"
)

// mapFile maps a file read-only into memory, sparing a copy of a large
// index; release unmaps it. Nothing taken from the data may outlive
// release: the readers copy what they keep. Files that cannot be mapped
// are read.
func mapFile(name string) (data []byte, release func(), err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if size := st.Size(); st.Mode().IsRegular() && size > 0 && size == int64(int(size)) {
		if data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, mapFlags); err == nil {
			return data, func() { syscall.Munmap(data) }, nil
		}
	}
	data, err = os.ReadFile(name)
	return data, func() {}, err
}
