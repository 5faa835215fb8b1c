package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/forensiclog/forensics/internal/ingest"
	"github.com/forensiclog/forensics/internal/parquetout"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// ParseCmd is "forensics parse": it reads access logs and writes one
// normalized record per request, as JSON lines on standard output or as a
// Parquet file. The columns are those of parquetout.Record.
type ParseCmd struct {
	Format       string `short:"f" placeholder:"F" help:"Log format of every input: a built-in name (combined, combined_debian, nginx_range, w3c, ...; a wrong name lists them all), or a format string as apache:'%h %l ...' or nginx:'$remote_addr ...'. Default: detect it per input from its first lines."`
	Out          string `short:"o" placeholder:"FILE.parquet" type:"path" help:"Write the records to this Parquet file (zstd, written atomically) instead of JSON lines to standard output."`
	MaxErrors    int    `default:"10" placeholder:"N" help:"Rejected lines to report per input, by position only; the rest are counted."`
	datasetFlags `embed:""`
	Logs         []string `arg:"" name:"LOG" help:"Log files, directories (every file directly in them) or globs; - for standard input. Gzip, bzip2, zstd and xz are read by their magic bytes; rotated sets are read oldest first."`

	format logparse.Format
}

// Validate checks the flags before Run.
func (c *ParseCmd) Validate() error {
	if c.MaxErrors < 0 {
		return errors.New("--max-errors must not be negative")
	}
	if err := c.datasetFlags.validate(c.Out); err != nil {
		return err
	}
	if c.Format != "" {
		f, err := logparse.ParseFormat(c.Format)
		if err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		c.format = f
	}
	return nil
}

// recordSink receives the parsed records.
type recordSink interface {
	write(rec *logparse.Record) error
	close() error
	abort()
}

// Run parses every input, in their order, through the one read path of
// analyze (internal/ingest): per input it logs the format and why, the
// line counts and the SHA-256 of the bytes as stored; rejected lines are
// logged by position only. It returns errPartialInput when an input could
// not be read in full (the output is still written).
func (c *ParseCmd) Run(log *slog.Logger, std *stdio) error {
	if c.format == nil && c.Format != "" {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	inputs, err := logparse.ExpandInputs(c.Logs)
	if err != nil {
		return err
	}
	for i, in := range inputs {
		if in.Stdin() {
			ni := logparse.ReaderInput(in.Name, std.In)
			ni.Source = in.Source
			inputs[i] = ni
		}
	}
	var sink recordSink
	switch {
	case c.Dataset != "":
		if sink, err = c.datasetFlags.sink(inputs, listingServer(c.Format)); err != nil {
			return err
		}
	case c.Out != "":
		w, err := parquetout.Create[parquetout.Record](c.Out)
		if err != nil {
			return err
		}
		sink = &parquetSink{w: w}
	default:
		sink = &jsonSink{bw: bufio.NewWriterSize(std.Out, 64<<10)}
	}
	// One worker: records are written in the order of the inputs.
	rd := &ingest.Reader{Format: c.format, Workers: 1, ShownRejects: c.MaxErrors, Log: log}
	reports, err := rd.Read(context.Background(), inputs, func(_ int, rec *logparse.Record) error {
		return sink.write(rec)
	})
	if err != nil {
		sink.abort()
		return err
	}
	if err := sink.close(); err != nil {
		return err
	}
	if c.Out != "" || c.Dataset != "" {
		log.Info("wrote", "out", c.Out+c.Dataset)
	}
	for _, rep := range reports {
		if rep.Error != "" {
			return errPartialInput
		}
	}
	return nil
}

// jsonSink writes one JSON object per line.
type jsonSink struct {
	bw  *bufio.Writer
	buf []byte
}

func (s *jsonSink) write(rec *logparse.Record) error {
	s.buf = parquetout.AppendJSON(s.buf[:0], rec)
	if _, err := s.bw.Write(s.buf); err != nil {
		return fmt.Errorf("writing standard output: %w", err)
	}
	return nil
}

func (s *jsonSink) close() error {
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("writing standard output: %w", err)
	}
	return nil
}

func (s *jsonSink) abort() { s.bw.Flush() }

// parquetSink writes a Parquet file that appears only once complete.
type parquetSink struct {
	w *parquetout.Writer[parquetout.Record]
}

func (s *parquetSink) write(rec *logparse.Record) error { return s.w.Write(parquetout.NewRecord(rec)) }
func (s *parquetSink) close() error                     { return s.w.Close() }
func (s *parquetSink) abort()                           { s.w.Abort() }
