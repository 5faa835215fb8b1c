// Package atomicfile writes a whole file so that no reader ever sees it
// half-written: into a temporary file beside it, synced, then renamed over
// the final name. Files are mode 0600: the outputs hold personal data.
//
// Temporary names end in random lower-case letters, never digits: a data
// loss prevention scanner reads a run of 10 or 12 digits (as os.CreateTemp
// makes) as a personal identity number.
package atomicfile

import (
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically, mode 0600. On failure no file
// is left under path (nor the temporary one).
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// A File is written under a temporary name beside its final one and
// appears under the final name, whole, only at Commit. It is the
// module's one atomic writer: WriteFile and the Parquet outputs use it.
type File struct {
	*os.File // the temporary file: write to it
	path     string
	done     bool
}

// Create starts the file that Commit will name path (mode 0600).
func Create(path string) (*File, error) {
	f, err := CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return nil, err
	}
	return &File{File: f, path: path}, nil
}

// Commit syncs the file, closes it, renames it to its final name and
// syncs the directory, so that the rename survives a crash. On failure
// the temporary file is removed and nothing is left under the final name.
func (f *File) Commit() error {
	if f.done {
		return fs.ErrClosed
	}
	f.done = true
	tmp := f.File.Name()
	if err := f.File.Sync(); err != nil {
		f.File.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.File.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, f.path); err != nil {
		os.Remove(tmp)
		return err
	}
	SyncDir(filepath.Dir(f.path))
	return nil
}

// Abort closes and removes the temporary file. It does nothing after
// Commit or Abort, so it may be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}

// SyncDir makes renames in dir durable. Errors are ignored: not every file
// system can sync a directory, and the files themselves are synced.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// CreateTemp creates a new file of mode 0600 in dir, named prefix followed
// by RandomLetters(12), and opens it for writing. As os.CreateTemp, it
// never opens an existing file; unlike it, the name holds no digits.
func CreateTemp(dir, prefix string) (*os.File, error) {
	if dir == "" {
		dir = "."
	}
	for range 100 {
		name := filepath.Join(dir, prefix+RandomLetters(12))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, prefix+"*"), Err: fs.ErrExist}
}

// RandomLetters returns n random lower-case letters a-z (4.7 bits each),
// for temporary names without digit runs.
func RandomLetters(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}
