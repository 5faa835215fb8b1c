// Package outdir makes an output directory hold one run, whole.
//
// A run opens the directory with Open: that takes an exclusive lock (a
// second run into the same directory fails at once with ErrLocked),
// removes what a killed run left behind, and makes a staging directory
// inside it, which also proves that the directory can be written before
// any work is done. The run writes its outputs into Staging(); Commit
// then moves them into place, the last one (the manifest) last, and
// removes the files of an earlier run that this run did not write, so
// that the directory never mixes two runs. Abort (on an error or a
// signal) removes the staging directory and leaves the directory as it
// was.
//
// # What a reader of the directory can rely on
//
// The directory holds one complete run when the last file (manifest.json
// for forensics) is present and the marker file Incomplete is absent.
// Commit writes the marker before it touches any output and removes it
// after the last file is in place; a run killed in between leaves the
// marker, and the next run replaces everything.
//
// # Names
//
// The lock file is LockName; staging directories are StagingPrefix
// followed by 12 random lower-case letters: no name holds digits, which a
// data loss prevention scanner could read as a personal identity number.
//
// # Concurrency
//
// A Dir is used by one run. Abort may be called from another goroutine
// (a signal handler) at any time: it waits for a Commit in progress to
// end. The lock is advisory (flock(2)) and held until Close or Abort, or
// until the process ends, however it ends.
package outdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/forensiclog/forensics/internal/atomicfile"
)

// Names of the files outdir keeps in an output directory.
const (
	// LockName is the lock file; it stays in the directory, empty.
	LockName = ".forensics.lock"
	// Incomplete marks a directory whose outputs do not form one run:
	// a Commit was under way when the process ended.
	Incomplete = "INCOMPLETE"
	// StagingPrefix begins the name of a run's staging directory.
	StagingPrefix = ".staging-"
)

// ErrLocked is returned by Open when another run holds the directory.
var ErrLocked = errors.New("another run is writing to this output directory")

// A Dir is an output directory held by one run.
type Dir struct {
	path    string
	staging string
	lock    *os.File
	created bool // Open made the directory: Close removes it if unused

	mu    sync.Mutex
	state int // open, committed, aborted
}

const (
	stateOpen = iota
	stateCommitted
	stateClosed
)

// Open creates the directory path (mode 0700) if needed, locks it,
// removes staging directories and temporary files left by runs that were
// killed, and creates a fresh staging directory. It fails with an error
// wrapping ErrLocked when another process holds the lock, and with the
// file system's error when the directory cannot be written.
func Open(path string) (*Dir, error) {
	_, statErr := os.Stat(path)
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(path, LockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	if ok, err := tryLock(lock); !ok {
		lock.Close()
		if err == nil {
			return nil, fmt.Errorf("output directory %s: %w (it holds the lock %s); wait for it or choose another --out", path, ErrLocked, LockName)
		}
		return nil, fmt.Errorf("output directory: lock: %w", err)
	}
	d := &Dir{path: path, lock: lock, created: errors.Is(statErr, fs.ErrNotExist)}
	if err := d.removeLeftovers(); err != nil {
		d.Close()
		return nil, err
	}
	for range 100 {
		s := filepath.Join(path, StagingPrefix+atomicfile.RandomLetters(12))
		err := os.Mkdir(s, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("output directory: %w", err)
		}
		d.staging = s
		break
	}
	if d.staging == "" {
		d.Close()
		return nil, errors.New("output directory: cannot create a staging directory")
	}
	return d, nil
}

// removeLeftovers removes the staging directories and the temporary files
// (".NAME.tmp-...") of runs that were killed: only a run holding the lock
// may do so, as no other run can be writing them.
func (d *Dir) removeLeftovers() error {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, StagingPrefix) || (strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")) {
			if err := os.RemoveAll(filepath.Join(d.path, name)); err != nil {
				return fmt.Errorf("output directory: removing what an interrupted run left: %w", err)
			}
		}
	}
	return nil
}

// Path returns the output directory.
func (d *Dir) Path() string { return d.path }

// Staging returns the staging directory, where the run writes its
// outputs: regular files, and folders that Commit moves whole.
func (d *Dir) Staging() string { return d.staging }

// Commit moves every regular file and folder of the staging directory
// into the output directory, last (e.g. "manifest.json") after all
// others; a folder moves whole, in place of the earlier run's folder of
// that name. Before it moves anything it writes the Incomplete marker
// and removes last and every file or folder named in previous (the
// outputs an earlier run may have written) that this run did not write;
// it removes the marker when last is in place. A name in previous that
// is not a plain file name is ignored. The staging directory is removed and the lock released, also
// on failure.
func (d *Dir) Commit(last string, previous []string) (err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state != stateOpen {
		return errors.New("output directory: already committed or closed")
	}
	defer d.closeLocked()
	entries, err := os.ReadDir(d.staging)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	var names []string
	dirs := map[string]bool{}
	hasLast := false
	for _, e := range entries {
		if e.IsDir() {
			dirs[e.Name()] = true
		} else if !e.Type().IsRegular() {
			continue
		}
		if e.Name() == last {
			hasLast = true
			continue
		}
		names = append(names, e.Name())
	}
	if !hasLast {
		return fmt.Errorf("output directory: %s was not written", last)
	}
	// A final name taken by a directory would fail half-way: check all
	// first, so that nothing is moved.
	for _, n := range append(slices.Clone(names), last) {
		if st, err := os.Lstat(filepath.Join(d.path, n)); err == nil && st.IsDir() && !(dirs[n] && slices.Contains(previous, n)) {
			return fmt.Errorf("output directory: cannot write %s: a directory has that name", n)
		}
	}
	if err := atomicfile.WriteFile(filepath.Join(d.path, Incomplete), []byte(incompleteText)); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	remove := []string{last}
	for _, p := range previous {
		if p != "" && p == filepath.Base(p) && p != "." && p != ".." && p != LockName && p != Incomplete && (!slices.Contains(names, p) || dirs[p]) {
			remove = append(remove, p)
		}
	}
	for _, p := range remove {
		target := filepath.Join(d.path, p)
		rm := os.Remove
		if st, err := os.Lstat(target); err == nil && st.IsDir() {
			rm = os.RemoveAll // a folder of outputs (lists, letters)
		}
		if err := rm(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("output directory: removing the earlier run's %s: %w", p, err)
		}
	}
	for _, n := range append(names, last) {
		if n == last && testHookBeforeLast != nil {
			if err := testHookBeforeLast(); err != nil {
				return err
			}
		}
		if err := os.Rename(filepath.Join(d.staging, n), filepath.Join(d.path, n)); err != nil {
			return fmt.Errorf("output directory: moving %s into place: %w", n, err)
		}
	}
	atomicfile.SyncDir(d.path)
	if err := os.Remove(filepath.Join(d.path, Incomplete)); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	atomicfile.SyncDir(d.path)
	d.state = stateCommitted
	return nil
}

// testHookBeforeLast, when set by a test, runs before the last file is
// moved: an error stands for a process that ends there.
var testHookBeforeLast func() error

const incompleteText = "The files in this directory do not form one complete run of forensics analyze:\n" +
	"a run was moving its outputs here when it ended. Run the analysis again.\n"

// Abort removes the staging directory and releases the lock, leaving the
// output directory as it was before Open. It waits for a Commit in
// progress; after a Commit or Close it does nothing. It is safe to call
// from a signal handler's goroutine.
func (d *Dir) Abort() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closeLocked()
}

// Close is Abort: a run that did not commit leaves nothing behind; when
// Open created the directory, it is removed again.
func (d *Dir) Close() error { return d.Abort() }

// Committed reports whether Commit succeeded.
func (d *Dir) Committed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state == stateCommitted
}

func (d *Dir) closeLocked() error {
	var err error
	if d.staging != "" {
		// A writer may still create files in it: remove until it is gone
		// (once the directory is gone, no file can be created in it).
		for range 10 {
			if err = os.RemoveAll(d.staging); err == nil {
				if _, serr := os.Lstat(d.staging); errors.Is(serr, fs.ErrNotExist) {
					break
				}
			}
		}
		d.staging = ""
	}
	if d.state == stateOpen {
		d.state = stateClosed
	}
	if d.lock != nil {
		if d.created && d.state != stateCommitted {
			// Nothing was written: leave no empty directory behind (it
			// stays if another file appeared in it).
			os.Remove(filepath.Join(d.path, LockName))
			os.Remove(d.path)
		}
		d.lock.Close() // releases the flock
		d.lock = nil
	}
	return err
}
