package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/forensiclog/forensics/pkg/exposure"
)

// IndexCheckCmd is "forensics index check": it loads a recording index as
// analyze would, without any log, and says what it holds and which rows it
// could not use (by row and column, never their contents). A responder runs
// it first, to get the column mapping right before hours of analysis; the
// benchmark runs it to time the index load alone.
type IndexCheckCmd struct {
	Index       string            `required:"" help:"Recording index: CSV, JSON Lines or Parquet (as analyze)." placeholder:"FILE" type:"existingfile"`
	IndexFormat string            `help:"Index format; default: from the file name." enum:"csv,jsonl,parquet," default:""`
	Column      map[string]string `help:"Map an index column to ours, e.g. --column path=file_name." placeholder:"OURS=THEIRS"`
	StripPrefix string            `help:"Server URL path prefix removed before matching (as analyze)." placeholder:"PREFIX"`
	AddPrefix   string            `help:"Prefix added to request paths after stripping (as analyze)." placeholder:"PREFIX"`
	FoldCase    bool              `help:"Fold the case of path keys (as analyze)."`
}

// Run loads the index and prints its counts, the load time and the
// memory the loaded index holds. It fails as analyze would on an index
// with no usable row.
func (c *IndexCheckCmd) Run(log *slog.Logger, std *stdio) error {
	start := time.Now()
	ix, err := exposure.LoadIndex(c.Index, exposure.IndexOptions{
		Format: c.IndexFormat, Columns: c.Column, Location: indexZone,
		PathMapper: exposure.PathMapper{StripPrefix: c.StripPrefix, AddPrefix: c.AddPrefix, FoldCase: c.FoldCase},
	})
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	loaded := time.Since(start)
	st := ix.Stats()
	for i, ierr := range ix.Errors() {
		if i == 10 {
			log.Warn("more index rows left out or kept in part", "count", len(ix.Errors())-10)
			break
		}
		log.Warn("index row", "error", ierr.Error())
	}
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
