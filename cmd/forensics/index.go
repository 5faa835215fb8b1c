package main

import (
	"fmt"
	"log/slog"

	"github.com/forensiclog/forensics/internal/dataset"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// IndexCmd is "forensics index": commands on a recording index.
type IndexCmd struct {
	Check  IndexCheckCmd  `cmd:"" help:"Load the index as analyze would, without any log: its counts, the rows it could not use (by position), load time and memory."`
	Export IndexExportCmd `cmd:"" help:"Write the index as Parquet (recordings.parquet, subjects.parquet, folders.parquet) with the engine's path keys and folders, for the SQL of 'forensics sql'."`
}

// indexFlags are the flags that say how to read an index, as analyze reads
// it; the index commands embed them.
type indexFlags struct {
	Index       string            `required:"" help:"Recording index: CSV, JSON Lines or Parquet (as analyze)." placeholder:"FILE" type:"existingfile"`
	IndexFormat string            `help:"Index format; default: from the file name." enum:"csv,jsonl,parquet," default:""`
	Column      map[string]string `help:"Map an index column to ours, e.g. --column path=file_name." placeholder:"OURS=THEIRS"`
	StripPrefix string            `help:"Server URL path prefix removed before matching (as analyze; give parse --dataset the same)." placeholder:"PREFIX"`
	AddPrefix   string            `help:"Prefix added to request paths after stripping (as analyze)." placeholder:"PREFIX"`
	FoldCase    bool              `help:"Fold the case of path keys (as analyze)."`
}

// load loads the index and logs the rows it could not use in full.
func (f *indexFlags) load(log *slog.Logger) (*exposure.Index, error) {
	ix, err := exposure.LoadIndex(f.Index, exposure.IndexOptions{
		Format: f.IndexFormat, Columns: f.Column, Location: indexZone,
		PathMapper: exposure.PathMapper{StripPrefix: f.StripPrefix, AddPrefix: f.AddPrefix, FoldCase: f.FoldCase},
	})
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	logIndexErrors(log, ix)
	return ix, nil
}

// logIndexErrors logs the first ten rows the index left out or kept in
// part, by position only (IndexError holds no row contents), and how many
// more there are.
func logIndexErrors(log *slog.Logger, ix *exposure.Index) {
	errs := ix.Errors()
	for i, ierr := range errs {
		if i == 10 {
			log.Warn("more unusable index rows", "count", len(errs)-10)
			break
		}
		log.Warn("index row", "error", ierr.Error())
	}
}

// IndexExportCmd is "forensics index export".
type IndexExportCmd struct {
	indexFlags `embed:""`
	Out        string `required:"" help:"Directory for recordings.parquet, subjects.parquet and folders.parquet (files mode 0600: the first two hold personal data)." placeholder:"DIR" type:"path"`
}

// Run loads the index as analyze does and writes it.
func (c *IndexExportCmd) Run(log *slog.Logger) error {
	ix, err := c.load(log)
	if err != nil {
		return err
	}
	if err := dataset.ExportIndex(ix, c.Out); err != nil {
		return err
	}
	log.Info("wrote", "out", c.Out, "recordings", ix.Len(), "persons", ix.NumPersons())
	return nil
}
