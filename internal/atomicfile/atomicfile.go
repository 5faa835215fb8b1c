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
	f, err := CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
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
