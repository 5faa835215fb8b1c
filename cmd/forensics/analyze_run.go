package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/forensiclog/forensics/internal/actors"
	"github.com/forensiclog/forensics/internal/geoip"
	"github.com/forensiclog/forensics/internal/ingest"
	"github.com/forensiclog/forensics/internal/useragent"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// analysis is one run of analyze.
type analysis struct {
	cmd            *AnalyzeCmd
	index          *exposure.Index
	indexLen       int // index.Len(), kept after release
	indexUnusable  int // index rows left out, kept after release
	indexKept      int // index rows kept in part, kept after release
	geo            *geoip.DB
	engine         *exposure.Engine
	shards         []*exposure.Shard
	format         logparse.Format // nil: detect per input
	inputs         []inputReport
	all            []logparse.Input
	dups           map[int]int // duplicate input -> the earlier identical one
	partial        bool        // some input could not be read in full
	indexSum       string
	tally          *pathTally // recording-like request paths (verdict_checks.go)
	skipped        []logparse.SkippedInput
	stdin          *stdinHead   // standard input's first bytes (verdict_checks.go)
	byContent      map[int]bool // dups found by decompressed content (inputs_dedup.go)
	problems       []string     // why the verdicts cannot be trusted (verdict_checks.go)
	skippedReports []skippedReport
	// reportSums are the digests of the reports for the manifest (report.go).
	reportSums map[string]string
}

// inputReport is one input's line accounting for the manifest.
type inputReport = ingest.InputReport

func (c *AnalyzeCmd) setup(log *slog.Logger) (*analysis, error) {
	a := &analysis{cmd: c}
	var err error
	if c.Format != "" {
		if a.format, err = logparse.ParseFormat(c.Format); err != nil {
			return nil, err
		}
	}
	opt := exposure.IndexOptions{
		Format:     c.IndexFormat,
		Columns:    c.Column,
		PathMapper: exposure.PathMapper{StripPrefix: c.StripPrefix, AddPrefix: c.AddPrefix, FoldCase: c.FoldCase},
		// Times without an offset are Swedish time. The century of a
		// 10-digit number in a row without a call date is decided by the
		// index's latest call (IndexOptions.Reference left zero): calls
		// precede the export, and a rerun gives the same persons.
		Location: indexZone,
	}
	done := phase(log, "index", "file", filepath.Base(c.Index))
	a.index, err = exposure.LoadIndex(c.Index, opt)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	// The row counts, not Index.Stats: that walks every recording (a
	// second on the incident's index) for counts analyze does not use.
	a.indexLen = a.index.Len()
	for _, e := range a.index.Errors() {
		if e.Kept {
			a.indexKept++
		} else {
			a.indexUnusable++
		}
	}
	done("recordings", a.indexLen, "unusable_rows", a.indexUnusable)
	logIndexErrors(log, a.index)
	if a.index.Len() == 0 {
		return nil, fmt.Errorf("index: no usable row (%d rows unusable)", a.indexUnusable)
	}
	a.indexSum, _ = fileSHA256(c.Index)

	eopt := exposure.Options{
		ActorKey:    c.ActorKey,
		HeaderBytes: c.HeaderBytes,
		Gap:         c.Gap,
		// The log source is logparse's (one set of naming rules).
		SourceOf: logparse.SourceOf,
	}
	if c.pseudonymKey != nil {
		eopt.PersonOrder = personOrder(c.pseudonymKey)
	}
	eopt.ListingServer = listingServer(c.Format)
	eopt.TempDir = c.TempDir
	eopt.ShardMemory = int(c.ShardMemory)
	eopt.TrustedCategories = []string{}
	for _, c := range c.TrustedCategory {
		if c != "none" {
			eopt.TrustedCategories = append(eopt.TrustedCategories, c)
		}
	}
	if eopt.Proxies.Trusted, err = exposure.ParsePrefixes(c.TrustedProxy); err != nil {
		return nil, err
	}
	if c.ExposedFrom != "" {
		eopt.ExposedFrom, _ = parseWhen(c.ExposedFrom)
	}
	if c.ExposedTo != "" {
		eopt.ExposedTo, _ = parseWhen(c.ExposedTo)
	}
	if c.GeoIPCity != "" || c.GeoIPASN != "" {
		if a.geo, err = geoip.Open(c.GeoIPCity, c.GeoIPASN); err != nil {
			return nil, err
		}
		eopt.Geo = a.geo
	}
	eopt.UserAgents = useragent.New(1 << 16)
	if c.Actors != "" {
		dir, err := actors.Load(c.Actors)
		if err != nil {
			return nil, err
		}
		eopt.Actors = dir
	}
	// Inputs are expanded here: the engine needs their reading order to
	// find rotated files that overlap.
	if a.all, a.skipped, err = logparse.ExpandInputsSkipped(c.Logs); err != nil {
		return nil, err
	}
	if len(a.all) == 0 {
		return nil, errors.New("no log inputs found")
	}
	a.dups = duplicateInputs(a.all)
	a.byContent = contentDuplicates(a.all, a.dups)
	a.keepStdinHead()
	for i, in := range a.all {
		if _, dup := a.dups[i]; !dup {
			eopt.InputOrder = append(eopt.InputOrder, in.Name)
		}
	}
	a.engine = exposure.NewEngine(a.index, eopt)
	a.tally = newPathTally(a.index, c.Workers)
	return a, nil
}

// release lets the engine, its index and the shards go once Finish has
// written the rows and the checks that need them are done: the reports
// that follow read the outputs and need the memory (the incident's index
// alone is about 300 MB). What the manifest and the report still need of
// the index (its counts) was kept by setup.
func (a *analysis) release() {
	if a.engine != nil {
		a.engine.Close()
	}
	a.engine, a.index, a.shards, a.tally = nil, nil, nil, nil
	runtime.GC() // return the freed memory before the reports allocate theirs
}

func (a *analysis) close() {
	if a.geo != nil {
		a.geo.Close()
	}
	if a.engine != nil {
		a.engine.Close() // spilled runs of a run that failed before Finish
	}
}

// readLogs reads every input with all workers: inputs spread over them,
// and a big uncompressed file split at line boundaries (logparse's
// ParallelReader). Each worker feeds its own engine shard.
func (a *analysis) readLogs(log *slog.Logger) error {
	inputs, dups := a.all, a.dups
	a.inputs = make([]inputReport, len(inputs))
	var todo []logparse.Input
	var where []int // todo[j] is inputs[where[j]]
	for i, in := range inputs {
		if d, ok := dups[i]; ok {
			a.inputs[i] = inputReport{Name: in.Name, Source: in.Source, DuplicateOf: inputs[d].Name, DuplicateBy: "bytes", RawBytes: in.Size}
			if a.byContent[i] {
				a.inputs[i].DuplicateBy = "content"
				log.Warn("input skipped: the same log as an earlier input, compressed otherwise (identical decompressed bytes)", "input", in.Name, "same_as", inputs[d].Name)
				continue
			}
			log.Warn("input skipped: identical bytes to an earlier input", "input", in.Name, "same_as", inputs[d].Name)
			continue
		}
		todo = append(todo, in)
		where = append(where, i)
	}
	counters := make([]paddedCounter, a.cmd.Workers)
	for range a.cmd.Workers {
		a.shards = append(a.shards, a.engine.NewShard())
	}
	var total int64 // input bytes to read; compressed ones estimated
	for _, in := range todo {
		total += estimatedBytes(in)
	}
	stop := startProgress(log, a.cmd.std.Err, counters, total, a.cmd.quiet)
	// Bytes read per worker, from the offsets of successive records of
	// one input (a record's length is the step to the next one).
	lastSource, lastOffset := make([]string, a.cmd.Workers), make([]int64, a.cmd.Workers)
	// Lines with fields beyond the format (an extended log read with a
	// plain format) keep them in Extra, unused: count them per input.
	trailing := make([]map[string]int64, a.cmd.Workers)
	rd := &ingest.Reader{Format: a.format, Workers: a.cmd.Workers, ShownRejects: maxReportedRejects, Log: log}
	reports, err := rd.Read(context.Background(), todo, func(w int, rec *logparse.Record) error {
		a.shards[w].Observe(rec)
		a.tally.observe(w, rec.Path)
		counters[w].n.Add(1)
		// A worker may go on with a later chunk of the same file: a step
		// longer than any line is a new chunk, not bytes read.
		if d := rec.Offset - lastOffset[w]; rec.Source == lastSource[w] && d > 0 && d <= maxLineStep {
			counters[w].bytes.Add(rec.Offset - lastOffset[w])
		}
		lastSource[w], lastOffset[w] = rec.Source, rec.Offset
		if len(rec.Extra) > 0 {
			if _, ok := rec.Field("trailing"); ok {
				if trailing[w] == nil {
					trailing[w] = map[string]int64{}
				}
				trailing[w][rec.Source]++
			}
		}
		return nil
	})
	stop()
	if err != nil {
		return err
	}
	for j, rep := range reports {
		for _, m := range trailing {
			rep.TrailingFields += m[rep.Name]
		}
		if rep.TrailingFields > 0 {
			log.Warn("lines carry fields the format does not name (kept in Extra, not used): give the format with --format", "input", rep.Name, "format", rep.Format, "lines", rep.TrailingFields)
		}
		if rep.Error != "" {
			a.partial = true
		}
		a.inputs[where[j]] = rep
	}
	return nil
}

// paddedCounter counts one worker's records and bytes without sharing a
// cache line.
type paddedCounter struct {
	n     atomic.Int64
	bytes atomic.Int64
	_     [48]byte
}

// compressionRatio estimates how many bytes a compressed log holds per
// byte on disk (access logs compress 8-15 times with gzip): the progress
// bar's total for compressed inputs. The bar never shows 100 % before the
// end.
const compressionRatio = 10

// maxLineStep bounds the offset step between two records of one worker
// that counts as the first record's length.
const maxLineStep = 1 << 20

// estimatedBytes is what reading in is expected to go through: its size,
// times compressionRatio when compressed, 0 when unknown (a pipe).
func estimatedBytes(in logparse.Input) int64 {
	if in.Size <= 0 {
		return 0
	}
	if in.Compression != "" && in.Compression != "none" {
		return in.Size * compressionRatio
	}
	return in.Size
}

// startProgress shows the reading phase on stderr: on a terminal, a bar
// with the share of input bytes read, the rate and the time left; on
// anything else (a file, a pipe, CI), a log line when the phase starts,
// one every 10 seconds with the same figures, and one when it ends. No
// rate is shown before a second has passed, so that the first one is not
// a division by almost nothing. It returns a function that ends the
// phase.
func startProgress(log *slog.Logger, stderr io.Writer, counters []paddedCounter, total int64, quiet bool) func() {
	if quiet {
		return func() {}
	}
	sum := func() (records, bytes int64) {
		for i := range counters {
			records += counters[i].n.Load()
			bytes += counters[i].bytes.Load()
		}
		return records, bytes
	}
	start := time.Now()
	f, ok := stderr.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd()))
	done := make(chan struct{})
	var wg sync.WaitGroup
	log.Info("phase", "name", "reading", "input_bytes", total)
	wg.Go(func() {
		var bar *progressbar.ProgressBar
		if tty {
			max := total
			if max <= 0 {
				max = -1 // unknown: a spinner with the count
			}
			bar = progressbar.NewOptions64(max, progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription("reading"), progressbar.OptionShowBytes(true),
				progressbar.OptionSetPredictTime(true), progressbar.OptionSetElapsedTime(true),
				progressbar.OptionSetWidth(30), progressbar.OptionThrottle(250*time.Millisecond),
				progressbar.OptionShowDescriptionAtLineEnd(), progressbar.OptionClearOnFinish())
		}
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		lastLog := start
		for {
			select {
			case <-done:
				if bar != nil {
					bar.Finish()
				}
				return
			case now := <-tick.C:
				records, read := sum()
				elapsed := now.Sub(start)
				if bar != nil {
					if elapsed < time.Second {
						continue // no rate from a few milliseconds
					}
					if total > 0 && read >= total {
						read = total - 1 // an estimate ran short: not done yet
					}
					bar.Set64(read)
					bar.Describe(fmt.Sprintf("reading, %d records", records))
				} else if now.Sub(lastLog) >= 10*time.Second {
					lastLog = now
					rate := float64(read) / elapsed.Seconds()
					args := []any{"phase", "reading", "records", records, "bytes", read, "mb_per_s", fmt.Sprintf("%.1f", rate/1e6)}
					if total > 0 && read < total && rate > 0 {
						args = append(args, "percent", fmt.Sprintf("%.0f", 100*float64(read)/float64(total)),
							"eta", time.Duration(float64(total-read)/rate*float64(time.Second)).Round(time.Second).String())
					}
					log.Info("progress", args...)
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		records, read := sum()
		log.Info("phase done", "name", "reading", "records", records, "bytes", read, "elapsed", time.Since(start).Round(time.Millisecond).String())
	}
}

// phase announces a phase of the run on stderr (index, reading, deciding,
// writing) and returns the function that says it is done, with how long
// it took and the figures given.
func phase(log *slog.Logger, name string, args ...any) func(args ...any) {
	start := time.Now()
	log.Info("phase", append([]any{"name", name}, args...)...)
	return func(args ...any) {
		log.Info("phase done", append([]any{"name", name}, append(args, "elapsed", time.Since(start).Round(time.Millisecond).String())...)...)
	}
}

// duplicateInputs finds inputs whose bytes equal an earlier input's: same
// size first, then the same SHA-256. It maps a duplicate to the original.
func duplicateInputs(inputs []logparse.Input) map[int]int {
	bySize := map[int64][]int{}
	for i, in := range inputs {
		if in.Stdin() || in.Size <= 0 {
			continue
		}
		bySize[in.Size] = append(bySize[in.Size], i)
	}
	dups := map[int]int{}
	for _, group := range bySize {
		if len(group) < 2 {
			continue
		}
		seen := map[string]int{}
		for _, i := range group {
			sum, err := fileSHA256(inputs[i].Path)
			if err != nil {
				continue
			}
			if j, ok := seen[sum]; ok {
				dups[i] = j
				continue
			}
			seen[sum] = i
		}
	}
	return dups
}

// maxReportedRejects bounds the rejected lines logged per input; all are
// counted in the manifest.
const maxReportedRejects = 5

// listingServer tells the engine which server's listings a named log
// format records, where the format says it: a listing's query filters or
// pages only on some servers (Apache's ?P=, Caddy's ?limit=). Detected
// formats and "combined" (nginx and Apache both write it) leave it
// unknown: then what only some servers would hide is flagged
// listing_unknown.
func listingServer(format string) exposure.ListingServer {
	switch {
	case format == "caddy":
		return exposure.ListingServerCaddy
	case strings.HasPrefix(format, "apache:"), format == "combined_debian", format == "vhost_combined":
		return exposure.ListingServerApache
	case strings.HasPrefix(format, "nginx:"), strings.HasPrefix(format, "nginx_"), format == "lighttpd",
		format == "iis", format == "w3c":
		return exposure.ListingServerPlain
	}
	return exposure.ListingServerUnknown
}
