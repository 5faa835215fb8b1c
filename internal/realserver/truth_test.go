package realserver_test

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	rs "github.com/forensiclog/forensics/internal/realserver"
)

func TestTruthLevels(t *testing.T) {
	tree, err := rs.BuildTree(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rec := tree.Rec("ranges") // 40,000 bytes of audio + header
	size := rec.Size
	a := netip.MustParseAddr("192.0.2.1")
	get := func(status int, n int64, cr string) rs.Exchange {
		return rs.Exchange{Actor: a, Method: "GET", Status: status, BodyBytes: n, ContentRange: cr, Recording: rec.Path}
	}
	cr := func(from, to int64) string {
		return "bytes " + itoa(from) + "-" + itoa(to) + "/" + itoa(size)
	}
	for _, tc := range []struct {
		name string
		exs  []rs.Exchange
		want rs.Level
		cov  int64
	}{
		{"nothing", nil, rs.LevelNone, 0},
		{"404", []rs.Exchange{get(404, 100, "")}, rs.LevelNone, 0},
		{"head", []rs.Exchange{{Actor: a, Method: "HEAD", Status: 200, Recording: rec.Path}}, rs.LevelMetadata, 0},
		{"304", []rs.Exchange{get(304, 0, "")}, rs.LevelMetadata, 0},
		{"listing", []rs.Exchange{{Actor: a, Method: "GET", Status: 200, Listing: true, Listed: []string{rec.Path}}}, rs.LevelMetadata, 0},
		{"whole", []rs.Exchange{get(200, size, "")}, rs.LevelFull, size},
		{"aborted", []rs.Exchange{get(200, 4096, "")}, rs.LevelPartial, 4096},
		{"pieces", []rs.Exchange{get(206, 100, cr(0, 99)), get(206, size-100, cr(100, size-1))}, rs.LevelFull, size},
		{"overlap", []rs.Exchange{get(206, 200, cr(0, 199)), get(206, size-100, cr(100, size-1))}, rs.LevelFull, size},
		{"hole", []rs.Exchange{get(206, 100, cr(0, 99)), get(206, size-101, cr(101, size-1))}, rs.LevelPartial, size - 1},
		{"twice-same", []rs.Exchange{get(206, 100, cr(0, 99)), get(206, 100, cr(0, 99))}, rs.LevelPartial, 100},
		{"partial-and-meta", []rs.Exchange{get(304, 0, ""), get(206, 100, cr(50, 149))}, rs.LevelPartial, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := rs.NewTruth(tree)
			for _, ex := range tc.exs {
				tr.Add(ex)
			}
			if got := tr.RecordingLevel(a, rec.Path); got != tc.want {
				t.Errorf("level %v, want %v", got, tc.want)
			}
			if got := tr.Covered(a, rec.Path); got != tc.cov {
				t.Errorf("covered %d, want %d", got, tc.cov)
			}
			if got := tr.RecordingLevel(netip.MustParseAddr("192.0.2.2"), rec.Path); got != rs.LevelNone {
				t.Errorf("another actor has level %v", got)
			}
		})
	}
}

func TestParseLevel(t *testing.T) {
	for l := rs.LevelNone; l <= rs.LevelFull; l++ {
		if got, ok := rs.ParseLevel(l.String()); !ok || got != l {
			t.Errorf("ParseLevel(%v) = %v, %v", l, got, ok)
		}
	}
	if _, ok := rs.ParseLevel("undeterminable"); ok {
		t.Error("ParseLevel accepted a level the truth never has")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
