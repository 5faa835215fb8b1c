package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/forensiclog/forensics/internal/outdir"
)

// An output directory holds one run (internal/outdir): analyze locks it
// before it reads anything (a second run into it fails at once, exit 1;
// a directory that cannot be written fails before any log is read),
// writes every output into a staging directory inside it, and moves them
// into place when all are written, manifest.json last. A rerun replaces
// the earlier run whole: the earlier run's files that the new one does
// not write are removed. SIGINT or SIGTERM removes the staging directory
// and exits 1, leaving the directory as it was; a killed run's leftovers
// are removed by the next run.

// manifestName is the output written last: its presence, without the
// outdir.Incomplete marker, says the directory holds a complete run.
const manifestName = "manifest.json"

// outputNames are the files an analyze run may write into --out. A rerun
// removes those it does not write, with those the earlier manifest lists.
var outputNames = []string{
	"exposures.parquet", "persons.parquet", "recordings.parquet", "actors.parquet",
	"coverage.parquet", "listings.parquet", "summary.json", "report.html", manifestName,
	"report.md", "notify", "letters", // internal/report: folders move whole
}

// previousOutputs returns the names of the outputs an earlier run may have
// left in dir: outputNames and the files its manifest lists.
func previousOutputs(dir string) []string {
	names := append([]string(nil), outputNames...)
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return names
	}
	var m struct {
		Outputs map[string]string `json:"outputs"`
	}
	if json.Unmarshal(b, &m) == nil {
		for n := range m.Outputs {
			names = append(names, n)
		}
	}
	return names
}

// An interruptWatch makes SIGINT and SIGTERM end the run cleanly: the
// staging directory is removed (waiting for a move into place under way),
// and the process exits 1 with a one-line reason. It is set up before
// --out is opened, so that no signal finds a staging directory without
// a handler.
type interruptWatch struct {
	mu       sync.Mutex
	dir      *outdir.Dir
	signaled bool
	cleanup  []func() error // run on a signal, before the exit
	done     chan struct{}
	stopSig  context.CancelFunc
}

// watchInterrupt starts watching for SIGINT and SIGTERM.
func watchInterrupt() *interruptWatch {
	ctx, stopSig := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	w := &interruptWatch{done: make(chan struct{}), stopSig: stopSig}
	go func() {
		<-ctx.Done()
		select {
		case <-w.done:
			return
		default:
		}
		if context.Cause(ctx) == context.Canceled {
			return // stopped, no signal
		}
		w.mu.Lock() // waits for an Open under way
		w.signaled = true
		d := w.dir
		cleanup := w.cleanup
		w.mu.Unlock()
		for _, f := range cleanup {
			f()
		}
		msg := "interrupted before any output was written"
		if d != nil {
			if err := d.Abort(); err != nil {
				msg = "interrupted; removing the staging directory failed: " + err.Error()
			} else if d.Committed() {
				msg = "interrupted after the outputs in " + d.Path() + " were complete"
			} else {
				msg = "interrupted: the outputs being written were removed; " + d.Path() + " is as it was before the run"
			}
		}
		os.Stderr.WriteString("forensics: " + msg + "\n")
		os.Exit(exitFailure)
	}()
	return w
}

// open opens --out for this run: locked, cleaned of a killed run's
// leftovers, with a staging directory.
func (w *interruptWatch) open(path string) (*outdir.Dir, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.signaled {
		return nil, errors.New("interrupted")
	}
	d, err := outdir.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	w.dir = d
	return d, nil
}

// atInterrupt adds f to what a signal runs before the exit (the engine's
// spilled runs in --temp-dir are removed so).
func (w *interruptWatch) atInterrupt(f func() error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cleanup = append(w.cleanup, f)
}

// stop ends the watch; signals have their default effect again.
func (w *interruptWatch) stop() {
	close(w.done)
	w.stopSig()
}
