package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sync"

	"github.com/forensiclog/forensics/internal/actors"
	"github.com/forensiclog/forensics/internal/geoip"
	"github.com/forensiclog/forensics/internal/useragent"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// analysis is one run of analyze.
type analysis struct {
	cmd      *AnalyzeCmd
	index    *exposure.Index
	geo      *geoip.DB
	engine   *exposure.Engine
	shards   []*exposure.Shard
	format   logparse.Format // nil: detect per input
	inputs   []inputReport
	partial  bool // some input could not be read in full
	indexSum string
}

// inputReport is one input's line accounting for the manifest. It holds
// positions and counts, never line contents.
type inputReport struct {
	Name         string           `json:"name"`
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
	Error        string           `json:"error,omitempty"`
}

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
	}
	a.index, err = exposure.LoadIndex(c.Index, opt)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	st := a.index.Stats()
	log.Info("index loaded", "recordings", st.Recordings, "unusable_rows", st.Errors)
	for i, ierr := range a.index.Errors() {
		if i == 10 {
			log.Warn("more unusable index rows", "count", len(a.index.Errors())-10)
			break
		}
		log.Warn("index row", "error", ierr.Error())
	}
	a.indexSum, _ = fileSHA256(c.Index)

	eopt := exposure.Options{
		ActorKey:    c.ActorKey,
		HeaderBytes: c.HeaderBytes,
		Gap:         c.Gap,
		SourceOf:    sourceOf,
	}
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
	a.engine = exposure.NewEngine(a.index, eopt)
	return a, nil
}

func (a *analysis) close() {
	if a.geo != nil {
		a.geo.Close()
	}
}

// rotationSuffix matches what log rotation appends to a file name.
var rotationSuffix = regexp.MustCompile(`(\.\d+|-\d{8}(\d{2})?)?(\.(gz|bz2|zst|xz))?$`)

// sourceOf names the log source (rotated set) of an input: its path without
// rotation and compression suffixes.
func sourceOf(name string) string {
	return rotationSuffix.ReplaceAllString(name, "")
}

// readLogs reads every input, spreading inputs over the workers.
func (a *analysis) readLogs(log *slog.Logger) error {
	inputs, err := logparse.ExpandInputs(a.cmd.Logs)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return errors.New("no log inputs found")
	}
	a.inputs = make([]inputReport, len(inputs))
	dups := duplicateInputs(inputs)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range a.cmd.Workers {
		shard := a.engine.NewShard()
		a.shards = append(a.shards, shard)
		wg.Go(func() {
			for i := range jobs {
				a.inputs[i] = a.readInput(log, shard, inputs[i])
			}
		})
	}
	for i := range inputs {
		if d, ok := dups[i]; ok {
			a.inputs[i] = inputReport{Name: inputs[i].Name, Source: sourceOf(inputs[i].Name), DuplicateOf: inputs[d].Name, RawBytes: inputs[i].Size}
			log.Warn("input skipped: identical bytes to an earlier input", "input", inputs[i].Name, "same_as", inputs[d].Name)
			continue
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, in := range a.inputs {
		if in.Error != "" {
			a.partial = true
		}
	}
	return nil
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

func (a *analysis) readInput(log *slog.Logger, shard *exposure.Shard, in logparse.Input) inputReport {
	rep := inputReport{Name: in.Name, Source: sourceOf(in.Name)}
	ir, err := in.Open()
	if err != nil {
		rep.Error = err.Error()
		log.Error("cannot open input", "input", in.Name, "error", err)
		return rep
	}
	defer ir.Close()
	rep.Compression = ir.Compression()
	br := bufio.NewReaderSize(ir, 256<<10)
	format := a.format
	if format == nil {
		sample, _ := br.Peek(64 << 10)
		f, det, err := logparse.Detect(sample)
		if err != nil {
			rep.Error = err.Error()
			log.Error("cannot detect the format", "input", in.Name, "error", err)
			// Drain so that the digest covers the input.
			io.Copy(io.Discard, br)
			if d, ok := ir.Digest(); ok {
				rep.SHA256 = d.String()
			}
			rep.RawBytes = ir.RawBytes()
			return rep
		}
		format = f
		rep.FormatReason = det.Reason
	}
	rep.Format = format.Name()
	r := logparse.NewReader(br, format)
	r.Name = in.Name
	r.ReuseRecord = true
	reported := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *logparse.ParseError
		if errors.As(err, &perr) {
			if reported < maxReportedRejects {
				log.Warn("line rejected", "at", perr.Error())
			}
			reported++
			continue
		}
		if err != nil {
			rep.Error = err.Error()
			log.Error("input cut short", "input", in.Name, "error", err)
			break
		}
		shard.Observe(rec)
	}
	st := r.Stats()
	rep.Lines, rep.Records, rep.Skipped, rep.Rejected = st.Lines, st.Records, st.Skipped, st.Rejected
	rep.RejectedBy, rep.Bytes = st.RejectedBy, st.Bytes
	rep.CRLF, rep.InvalidUTF8, rep.NULPrefixed = st.CRLF, st.InvalidUTF8, st.NULPrefixed
	if d, ok := ir.Digest(); ok {
		rep.SHA256 = d.String()
	}
	rep.RawBytes = ir.RawBytes()
	log.Info("input read", "input", in.Name, "format", rep.Format, "lines", st.Lines,
		"records", st.Records, "skipped", st.Skipped, "rejected", st.Rejected, "sha256", rep.SHA256)
	return rep
}
