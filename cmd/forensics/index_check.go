package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"time"
)

// IndexCheckCmd is "forensics index check": it loads a recording index as
// analyze would, without any log, and says what it holds and which rows it
// could not use (by row and column, never their contents). A responder runs
// it first, to get the column mapping right before hours of analysis; the
// benchmark runs it to time the index load alone.
type IndexCheckCmd struct {
	indexFlags   `embed:""`
	profileFlags `embed:""`
}

// Run loads the index and prints its counts, the load time and the
// memory the loaded index holds. It fails as analyze would on an index
// with no usable row.
func (c *IndexCheckCmd) Run(log *slog.Logger, std *stdio) error {
	stopProfiles, err := c.profileFlags.start()
	if err != nil {
		return err
	}
	defer stopProfiles()
	start := time.Now()
	ix, err := c.load(log)
	if err != nil {
		return err
	}
	loaded := time.Since(start)
	st := ix.Stats()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w := bufio.NewWriter(std.Out)
	line := func(name string, v any) { fmt.Fprintf(w, "%-40s %12v\n", name, v) }
	line("recordings", st.Recordings)
	line("with a caller phone", st.WithPhone)
	line("size, start or duration unreadable", st.Uncertain)
	line("folders", ix.NumFolders())
	line("subject entries", st.Subjects)
	for _, k := range slices.Sorted(maps.Keys(st.SubjectsByKind)) {
		line("  "+k.String(), st.SubjectsByKind[k])
	}
	line("subject entries of children at the call", st.Children)
	line("persons", st.Persons)
	line("rows left out", st.Errors)
	line("rows kept in part", st.Warnings)
	line("load time", loaded.Round(time.Millisecond))
	line("heap in use (MiB)", ms.HeapAlloc>>20)
	if err := w.Flush(); err != nil {
		return err
	}
	if ix.Len() == 0 {
		return fmt.Errorf("index: no usable row (%d rows unusable)", st.Errors)
	}
	return nil
}
