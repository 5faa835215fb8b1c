package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/forensiclog/forensics/internal/parquetout"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// ParseCmd is "forensics parse": it reads access logs and writes one
// normalized record per request, as JSON lines on standard output or as a
// Parquet file. The columns are those of parquetout.Record.
type ParseCmd struct {
	Format    string   `short:"f" placeholder:"F" help:"Log format of every input: a built-in name (combined, combined_debian, nginx_range, w3c, ...; a wrong name lists them all), or a format string as apache:'%h %l ...' or nginx:'$remote_addr ...'. Default: detect it per input from its first lines."`
	Out       string   `short:"o" placeholder:"FILE.parquet" type:"path" help:"Write the records to this Parquet file (zstd, written atomically) instead of JSON lines to standard output."`
	MaxErrors int      `default:"10" placeholder:"N" help:"Rejected lines to report per input, by position only; the rest are counted."`
	Logs      []string `arg:"" name:"LOG" help:"Log files, directories (every file directly in them) or globs; - for standard input. Gzip, bzip2, zstd and xz are read by their magic bytes; rotated sets are read oldest first."`

	format logparse.Format
}

// Validate checks the flags before Run.
func (c *ParseCmd) Validate() error {
	if c.MaxErrors < 0 {
		return errors.New("--max-errors must not be negative")
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

// Run parses every input. Per input it logs the format and why, the line
// counts and the SHA-256 of the bytes as stored; rejected lines are
// logged by position only. It returns errPartialInput when an input could
// not be read in full (the output is still written).
func (c *ParseCmd) Run(log *slog.Logger) error {
	if c.format == nil && c.Format != "" {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	inputs, err := logparse.ExpandInputs(c.Logs)
	if err != nil {
		return err
	}
	var sink recordSink
	if c.Out != "" {
		w, err := parquetout.Create[parquetout.Record](c.Out)
		if err != nil {
			return err
		}
		sink = &parquetSink{w: w}
	} else {
		sink = &jsonSink{bw: bufio.NewWriterSize(os.Stdout, 64<<10)}
	}
	partial := false
	for _, in := range inputs {
		ok, err := c.parseInput(log, in, sink)
		if err != nil {
			sink.abort()
			return err
		}
		if !ok {
			partial = true
		}
	}
	if err := sink.close(); err != nil {
		return err
	}
	if c.Out != "" {
		log.Info("wrote", "out", c.Out)
	}
	if partial {
		return errPartialInput
	}
	return nil
}

// parseInput reads one input into sink. ok is false when the input could
// not be read in full; err is an output error, which ends the run.
func (c *ParseCmd) parseInput(log *slog.Logger, in logparse.Input, sink recordSink) (ok bool, err error) {
	r, err := logparse.OpenInput(in, c.format) // decompresses; detects the format when none is given
	if errors.Is(err, logparse.ErrNotDetected) {
		log.Error("format not detected; input skipped (use --format)", "input", in.Name, "err", err)
		return false, nil
	}
	if err != nil {
		log.Error("cannot open input", "input", in.Name, "err", err)
		return false, nil
	}
	defer r.Close()
	ir := r.InputReader()
	how := "given by --format"
	if d := r.Detection(); d != nil {
		how = d.Reason
	}
	log.Info("input", "input", in.Name, "format", r.Format().Name(), "why", how, "compression", ir.Compression())
	r.ReuseRecord = true // sinks copy what they keep
	var readErr error
	shown := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *logparse.ParseError
		if errors.As(err, &perr) {
			if shown < c.MaxErrors {
				shown++
				log.Warn(perr.Error()) // position and kind, never the line
			}
			continue
		}
		if err != nil {
			readErr = err
			break
		}
		if err := sink.write(rec); err != nil {
			return false, err
		}
	}
	st := r.Stats()
	if hidden := st.Rejected - int64(shown); hidden > 0 {
		log.Warn("more rejected lines not shown", "input", in.Name, "count", hidden)
	}
	attrs := []any{"input", in.Name, "lines", st.Lines, "records", st.Records, "skipped", st.Skipped,
		"rejected", st.Rejected, "bytes", ir.RawBytes()}
	if st.NULPrefixed > 0 {
		attrs = append(attrs, "nul_prefixed", st.NULPrefixed)
	}
	if st.InvalidUTF8 > 0 {
		attrs = append(attrs, "invalid_utf8", st.InvalidUTF8)
	}
	if d, ok := ir.Digest(); ok {
		attrs = append(attrs, "sha256", d.String())
	}
	if readErr != nil {
		log.Error("input could not be read in full", append(attrs, "err", readErr)...)
		return false, nil
	}
	log.Info("read", attrs...)
	return true, nil
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
