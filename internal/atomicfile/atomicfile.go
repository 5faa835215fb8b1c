// Package atomicfile writes a whole file so that no reader ever sees it
// half-written: into a temporary file beside it, synced, then renamed over
// the final name. Files are mode 0600: the outputs hold personal data.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically, mode 0600. On failure no file
// is left under path (nor the temporary one).
func WriteFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
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
