// Package ingest is the one path by which the forensics command reads
// access logs: open (any compression), detect the format per log source,
// read on all workers, and account for every input. "forensics parse",
// "forensics analyze" (and so every test that runs them, the report's
// included) read logs through Read and nothing else.
//
// It logs by position and count only: never a line, a field or a path
// of a request.
package ingest

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"strings"
	"sync"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// InputReport is one input's line accounting, as the manifest lists it.
// It holds positions and counts, never line contents.
type InputReport struct {
	Name         string           `json:"name"`
	NameB64      string           `json:"name_b64,omitempty"` // the exact name when it is not UTF-8
	Source       string           `json:"source"`
	Compression  string           `json:"compression,omitempty"`
	SHA256       string           `json:"sha256,omitempty"`
	RawBytes     int64            `json:"raw_bytes"`
	Bytes        int64            `json:"bytes"`
	Format       string           `json:"format,omitempty"`
	FormatReason string           `json:"format_reason,omitempty"`
	Lines        int64            `json:"lines"`
	Records      int64            `json:"records"`
	Skipped      int64            `json:"skipped"`
	Rejected     int64            `json:"rejected"`
	RejectedBy   map[string]int64 `json:"rejected_by,omitempty"`
	CRLF         int64            `json:"crlf_lines,omitempty"`
	InvalidUTF8  int64            `json:"invalid_utf8_lines,omitempty"`
	NULPrefixed  int64            `json:"nul_prefixed_lines,omitempty"`
	DuplicateOf  string           `json:"duplicate_of,omitempty"`
	DuplicateBy  string           `json:"duplicate_by,omitempty"` // "bytes" or "content" (decompressed)
	// TrailingFields counts records with fields after the format's last
	// (an extended log read with a plain format): kept, not used.
	TrailingFields int64 `json:"trailing_fields_lines,omitempty"`
	// OverlapLines records at the start of this input repeat the end of
	// OverlapWith (copytruncate): counted once. OverlapRange says which
	// lines ("first-last").
	OverlapLines int    `json:"overlap_lines,omitempty"`
	OverlapWith  string `json:"overlap_with,omitempty"`
	OverlapRange string `json:"overlap_range,omitempty"`
	Error        string `json:"error,omitempty"`
	// Problem says why most lines were rejected (set by the command).
	Problem string `json:"problem,omitempty"`
}

// Reader reads the logs of one run. Set its fields before Read.
type Reader struct {
	// Format is every input's format; nil detects it per log source.
	Format logparse.Format
	// Workers is the number of goroutines (0: all cores). With one,
	// inputs are read one after another in their order, so that records
	// come in the order of the inputs ("forensics parse").
	Workers int
	// ShownRejects is how many rejected lines are logged per input (by
	// position and kind); the rest are counted.
	ShownRejects int
	// Log receives a line per input and per shown rejected line.
	Log *slog.Logger
}

// Read reads inputs, calling fn for each record from the worker that
// read it (see logparse.ParallelReader: the record is valid during the
// call only). It returns one InputReport per input, in their order; an
// input that could not be read in full has Error set, and is logged at
// level ERROR with the reason. Read returns an error only when fn does.
func (r *Reader) Read(ctx context.Context, inputs []logparse.Input, fn func(worker int, rec *logparse.Record) error) ([]InputReport, error) {
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var mu sync.Mutex
	rejects := map[string]int{}
	pr := &logparse.ParallelReader{
		Format:  r.Format,
		Workers: r.Workers,
		OnError: func(_ int, perr *logparse.ParseError) {
			mu.Lock()
			n := rejects[perr.Path]
			rejects[perr.Path] = n + 1
			mu.Unlock()
			if n < r.ShownRejects {
				log.Warn("line rejected", "at", perr.Error()) // position and kind, never the line
			}
		},
	}
	results, err := pr.Read(ctx, inputs, fn)
	if err != nil {
		return nil, err
	}
	reports := make([]InputReport, len(results))
	warned := map[*logparse.Detection]bool{}
	for j, res := range results {
		// The format is detected per log source, from its files together:
		// say when its files disagree on their own, or one does not fit.
		if d := res.Detection; d != nil && !warned[d] {
			warned[d] = true
			misfit := false
			for _, in := range d.Inputs {
				if in.Name == res.Input.Name && !in.Fits && res.Format != "" {
					misfit = true
					log.Warn("file does not fit the format of its log source: read in its own format", "input", in.Name, "source", d.Source, "format", res.Format)
				}
			}
			var names []string
			for _, in := range d.Disagreements() {
				names = append(names, in.Name+" ("+in.Format+")")
			}
			if len(names) > 0 && !misfit {
				log.Warn("files of one log source chose other formats on their own: the source is read in one format, detected from all its files", "source", d.Source, "format", d.Format, "files", strings.Join(names, ", "))
			}
		}
		rep := InputReport{Name: res.Input.Name, Source: res.Input.Source, Compression: res.Compression,
			RawBytes: res.RawBytes, Format: res.Format}
		why := "given"
		if res.Detection != nil {
			rep.FormatReason = res.Detection.Reason
			why = rep.FormatReason
		}
		if res.DigestOK {
			rep.SHA256 = res.Digest.String()
		}
		st := res.Stats
		rep.Lines, rep.Records, rep.Skipped, rep.Rejected = st.Lines, st.Records, st.Skipped, st.Rejected
		rep.RejectedBy, rep.Bytes = st.RejectedBy, st.Bytes
		rep.CRLF, rep.InvalidUTF8, rep.NULPrefixed = st.CRLF, st.InvalidUTF8, st.NULPrefixed
		if n := rejects[res.Input.Name] - r.ShownRejects; n > 0 {
			log.Warn("more lines rejected", "input", res.Input.Name, "count", n)
		}
		attrs := []any{"input", res.Input.Name, "format", rep.Format, "lines", st.Lines, "records", st.Records,
			"skipped", st.Skipped, "rejected", st.Rejected}
		if st.NULPrefixed > 0 {
			attrs = append(attrs, "nul_prefixed", st.NULPrefixed)
		}
		if st.InvalidUTF8 > 0 {
			attrs = append(attrs, "invalid_utf8", st.InvalidUTF8)
		}
		attrs = append(attrs, "bytes", rep.RawBytes, "compression", rep.Compression)
		if res.Err != nil {
			rep.Error = res.Err.Error()
			log.Error(failure(res), append([]any{"input", res.Input.Name, "error", res.Err}, attrs[2:]...)...)
		} else {
			if rep.SHA256 != "" {
				attrs = append(attrs, "sha256", rep.SHA256)
			}
			log.Info("input read", append(attrs, "why", why)...)
		}
		reports[j] = rep
	}
	return reports, nil
}

// failure says in a few words why an input was not read in full.
func failure(res logparse.InputResult) string {
	var rerr *logparse.ReadError
	switch {
	case res.Input.Err != nil, errors.Is(res.Err, fs.ErrPermission), errors.Is(res.Err, fs.ErrNotExist):
		return "cannot read the input" // found so by the folder walk, or by open
	case res.Format == "" && !errors.As(res.Err, &rerr):
		return "cannot detect the format"
	case res.Stats.Lines == 0 && !errors.As(res.Err, &rerr):
		return "cannot read the input"
	}
	return "input cut short"
}
