package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/atomicfile"
	"github.com/forensiclog/forensics/internal/parquetout"
	"github.com/forensiclog/forensics/pkg/exposure"
)

// manifest records how the outputs were made: every input with its digest
// and line accounting, the options and the tool version. Run time and host
// live here, never in the data files, so that those are byte-identical
// across runs.
type manifest struct {
	Tool     string            `json:"tool"`
	Version  string            `json:"version"`
	GoVer    string            `json:"go_version"`
	Started  time.Time         `json:"started"`
	Finished time.Time         `json:"finished"`
	Host     string            `json:"host"`
	Demo     bool              `json:"demo,omitempty"`
	Options  map[string]any    `json:"options"`
	Index    map[string]any    `json:"index"`
	GeoIP    any               `json:"geoip,omitempty"`
	Inputs   []inputReport     `json:"inputs"`
	Totals   map[string]int64  `json:"totals"`
	Outputs  map[string]string `json:"outputs"` // file -> SHA-256
	// Problems say why the run's verdicts cannot be trusted (exit 2).
	Problems []string `json:"problems,omitempty"`
	// Skipped lists files of log folders that are not regular files.
	Skipped []skippedReport `json:"skipped_inputs,omitempty"`
	// Pseudonymized holds the scheme and key ID; never the key or its path.
	Pseudonymized map[string]string `json:"pseudonymized,omitempty"`
}

// write writes the outputs that follow the rows into out, the manifest
// last; the sink has written the row files there already.
func (a *analysis) write(out string, rep *exposure.Report, started time.Time, log *slog.Logger) error {
	files := []struct {
		name  string
		write func(string) error
	}{
		{"coverage.parquet", func(p string) error { return parquetout.WriteFile(p, rep.Coverage.Rows()) }},
		{"summary.json", func(p string) error { return writeJSON(p, rep.Summary) }},
	}
	if !a.cmd.NoReports {
		files = append(files, struct {
			name  string
			write func(string) error
		}{"report.html", func(p string) error { return a.writeReports(filepath.Dir(p), log) }})
	}
	sums := map[string]string{}
	for _, name := range sinkFiles {
		sums[name], _ = fileSHA256(filepath.Join(out, name))
	}
	for _, f := range files {
		p := filepath.Join(out, f.name)
		if err := f.write(p); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
		sums[f.name], _ = fileSHA256(p)
	}
	maps.Copy(sums, a.reportSums)
	host, _ := os.Hostname()
	m := manifest{
		Tool: "forensics", Version: version, GoVer: runtime.Version(),
		Started: started.UTC(), Finished: time.Now().UTC(), Host: host, Demo: a.cmd.demo,
		Options: map[string]any{
			"format": a.cmd.Format, "actor_key": a.cmd.ActorKey, "trusted_proxy": a.cmd.TrustedProxy,
			"strip_prefix": a.cmd.StripPrefix, "add_prefix": a.cmd.AddPrefix, "fold_case": a.cmd.FoldCase,
			"gap": rep.Summary.Gap, "gap_reason": rep.Summary.GapReason,
			"exposed_from": rep.Summary.Window.Start, "exposed_to": rep.Summary.Window.End,
			"header_bytes": a.cmd.HeaderBytes, "workers": a.cmd.Workers, "actors_file": a.cmd.Actors,
		},
		Index: map[string]any{
			"path": a.cmd.Index, "sha256": a.indexSum,
			// Rows left out, and rows kept in part (a repeated path
			// merged into the first, a bad size kept uncertain):
			// Index.Errors lists both.
			"recordings": a.indexLen, "unusable_rows": a.indexUnusable,
			"rows_kept_in_part": a.indexKept,
		},
		Inputs:   a.inputs,
		Totals:   map[string]int64{},
		Outputs:  sums,
		Problems: a.problems,
		Skipped:  a.skippedReports,
	}
	if a.geo != nil {
		m.GeoIP = a.geo.Metadata()
		// Actors whose lookup a database refused: their place is unknown.
		m.Totals["geoip_lookup_errors"] = rep.Summary.Engine.GeoLookupErrors
	}
	for _, in := range a.inputs {
		m.Totals["lines"] += in.Lines
		m.Totals["records"] += in.Records
		m.Totals["skipped"] += in.Skipped
		m.Totals["rejected"] += in.Rejected
		m.Totals["bytes"] += in.Bytes
		if in.DuplicateOf != "" {
			m.Totals["duplicate_inputs"]++
		}
		if in.Error != "" {
			m.Totals["failed_inputs"]++
		}
		m.Totals["overlap_lines"] += int64(in.OverlapLines)
	}
	if a.cmd.pseudonymKey != nil {
		m.Pseudonymized = map[string]string{"scheme": pseudonymScheme, "key_id": pseudonymKeyID(a.cmd.pseudonymKey)}
		m.Index["path"] = filepath.Base(a.cmd.Index)
	}
	return writeJSON(filepath.Join(out, "manifest.json"), m)
}

// noteOverlaps puts the overlaps between rotated files into the manifest.
func (a *analysis) noteOverlaps(log *slog.Logger, overlaps []exposure.Overlap) {
	for _, o := range overlaps {
		for i := range a.inputs {
			if a.inputs[i].Name == o.Input {
				a.inputs[i].OverlapLines = o.Records
				a.inputs[i].OverlapWith = o.With
				a.inputs[i].OverlapRange = fmt.Sprintf("%d-%d", o.FirstLine, o.LastLine)
			}
		}
		log.Warn("rotated files overlap: repeated records counted once", "input", o.Input,
			"with", o.With, "records", o.Records, "lines", fmt.Sprintf("%d-%d", o.FirstLine, o.LastLine))
	}
}

// writeJSON writes v as indented JSON atomically, mode 0600.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	return atomicfile.WriteFile(path, b)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// printSummary prints the counts a responder wants first. It prints no
// personal data.
func printSummary(w io.Writer, out string, s exposure.Summary) {
	levels := []string{"full", "partial", "metadata", "undeterminable", "none"}
	fmt.Fprintf(w, "Outputs in %s\n\n", out)
	fmt.Fprintf(w, "Persons: %d in the index, %d to notify\n", s.PersonsTotal, s.PersonsNotify)
	for _, l := range levels {
		fmt.Fprintf(w, "  %-15s %6d  (children %d)\n", l, s.PersonsByLevel[l], s.ChildrenByLevel[l])
	}
	fmt.Fprintf(w, "Recordings: %d in the index\n", s.RecordingsTotal)
	for _, l := range levels {
		fmt.Fprintf(w, "  %-15s %6d\n", l, s.RecordingsByLevel[l])
	}
	fmt.Fprintf(w, "Phone numbers exposed: %d\n", s.PhonesExposed)
	fmt.Fprintf(w, "Actors: %d", s.Actors)
	cats := make([]string, 0, len(s.ActorsByCategory))
	for c := range s.ActorsByCategory {
		cats = append(cats, c)
	}
	slices.Sort(cats)
	var parts []string
	for _, c := range cats {
		parts = append(parts, fmt.Sprintf("%s %d", c, s.ActorsByCategory[c]))
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	if !s.LogsFrom.IsZero() {
		fmt.Fprintf(w, "Logs cover %s to %s; exposure window %s to %s\n",
			s.LogsFrom.Format(time.DateOnly), s.LogsTo.Format(time.DateOnly),
			s.Window.Start.Format(time.DateOnly), s.Window.End.Format(time.DateOnly))
	}
	fmt.Fprintf(w, "Uncovered by any log: %d intervals, %s in all (gap threshold %s)\n",
		s.UncoveredIntervals, days(s.UncoveredSeconds), s.Gap)
	fmt.Fprintf(w, "Persons whose verdict rests on a gap in the logs: %d\n", s.PersonsOnGap)
}

// days writes a duration in seconds as days and hours.
func days(sec int64) string {
	d, h := sec/86400, sec%86400/3600
	if d == 0 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dd %dh", d, h)
}
