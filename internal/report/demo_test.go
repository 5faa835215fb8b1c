package report

import (
	"bufio"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/forensiclog/forensics/internal/actors"
	"github.com/forensiclog/forensics/internal/geoip"
	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/internal/useragent"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// demo is the demo incident analysed once per test binary, as
// "forensics analyze" does with no arguments.
var demo struct {
	once sync.Once
	res  *exposure.Result
	meta Meta
	root string
	err  error
}

// demoRotation matches what log rotation appends to a file name (as the
// CLI's sourceOf).
var demoRotation = regexp.MustCompile(`(\.\d+|-\d{8}(\d{2})?)?(\.(gz|bz2|zst|xz))?$`)

// demoResult returns the demo's result and the Meta the CLI would give.
// Input names are relative to the repository root, so that the golden
// file does not depend on where the repository is checked out.
func demoResult(t testing.TB) (*exposure.Result, Meta) {
	t.Helper()
	demo.once.Do(func() {
		demo.root, demo.err = testutil.RepoRoot()
		if demo.err == nil {
			demo.res, demo.meta, demo.err = analyzeDemo(demo.root)
		}
	})
	if demo.err != nil {
		t.Fatalf("analysing the demo: %v", demo.err)
	}
	return demo.res, demo.meta
}

func analyzeDemo(root string) (*exposure.Result, Meta, error) {
	dir := filepath.Join(root, "fixtures", "demo")
	ix, err := exposure.LoadIndex(filepath.Join(dir, "index.csv"), exposure.IndexOptions{})
	if err != nil {
		return nil, Meta{}, err
	}
	geo, err := geoip.Open(filepath.Join(dir, "geoip", "city.mmdb"), filepath.Join(dir, "geoip", "asn.mmdb"))
	if err != nil {
		return nil, Meta{}, err
	}
	defer geo.Close()
	dirActors, err := actors.Load(filepath.Join(dir, "actors.yaml"))
	if err != nil {
		return nil, Meta{}, err
	}
	opt := exposure.Options{
		Geo:        geo,
		UserAgents: useragent.New(1 << 12),
		Actors:     dirActors,
		SourceOf: func(name string) string {
			return demoRotation.ReplaceAllString(name, "")
		},
	}
	eng := exposure.NewEngine(ix, opt)
	shard := eng.NewShard()

	// Names relative to the root, as a user running from there gives them.
	inputs, err := logparse.ExpandInputs([]string{filepath.Join(dir, "logs")})
	if err != nil {
		return nil, Meta{}, err
	}
	meta := Meta{
		Title:           "Demo incident: exposure of recorded calls",
		IndexRecordings: ix.Len(),
		Tool:            "forensics",
		Version:         "test",
	}
	for _, in := range inputs {
		info, err := readDemoInput(root, in, shard)
		if err != nil {
			return nil, Meta{}, err
		}
		meta.Inputs = append(meta.Inputs, info)
	}
	res := eng.Finish(shard)
	for i, s := range res.Coverage.Sources {
		if rel, err := filepath.Rel(root, s.Source); err == nil {
			res.Coverage.Sources[i].Source = filepath.ToSlash(rel)
		}
	}
	return res, meta, nil
}

func readDemoInput(root string, in logparse.Input, shard *exposure.Shard) (InputInfo, error) {
	name := in.Name
	if rel, err := filepath.Rel(root, in.Name); err == nil {
		name = filepath.ToSlash(rel)
	}
	info := InputInfo{Name: name}
	ir, err := in.Open()
	if err != nil {
		return info, err
	}
	defer ir.Close()
	br := bufio.NewReaderSize(ir, 64<<10)
	sample, _ := br.Peek(64 << 10)
	f, _, err := logparse.Detect(sample)
	if err != nil {
		return info, err
	}
	info.Format = f.Name()
	r := logparse.NewReader(br, f)
	r.Name = in.Name
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *logparse.ParseError
		if errors.As(err, &perr) {
			continue
		}
		if err != nil {
			return info, err
		}
		shard.Observe(rec)
	}
	st := r.Stats()
	info.Lines, info.Rejected = st.Lines, st.Rejected
	if d, ok := ir.Digest(); ok {
		info.SHA256 = d.String()
	}
	return info, nil
}
