package dataset

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/internal/geoiptest"
	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/internal/useragent"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// logLines returns n nginx_range lines from 198.51.100.x over two days,
// out of time order within each day (as Apache and nginx write long
// downloads late).
func logLines(n int) string {
	var b strings.Builder
	for i := range n {
		day := 10 + i%2
		sec := (n - i) % 60
		status, bytes, rng := 200, 1000, "-"
		if i%3 == 0 {
			status, bytes, rng = 206, 100, "bytes=100-199"
		}
		path := fmt.Sprintf("/rec/2019/a%d.mp3", i%5)
		if i%7 == 0 {
			path = "/rec/2019/?C=M;O=A"
		}
		fmt.Fprintf(&b, "198.51.100.%d - - [%02d/Feb/2019:10:%02d:%02d +0100] \"GET %s HTTP/1.1\" %d %d \"-\" \"VLC\" \"%s\" 0.010 OK %d\n",
			i%4, day, i%60, sec, path, status, bytes, rng, bytes+300)
	}
	return b.String()
}

// write reads each named log (name -> content, in order) into a dataset
// at dir and returns the files written.
func write(t *testing.T, dir string, logs [][2]string, fileRows, memBytes int) []string {
	t.Helper()
	return writeWith(t, dir, logs, Options{PathMapper: exposure.PathMapper{StripPrefix: "/rec", AddPrefix: "/nas"}}, fileRows, memBytes)
}

// writeWith is write with options.
func writeWith(t *testing.T, dir string, logs [][2]string, opt Options, fileRows, memBytes int) []string {
	t.Helper()
	f, err := logparse.ParseFormat("nginx_range")
	if err != nil {
		t.Fatal(err)
	}
	var inputs []logparse.Input
	for _, l := range logs {
		inputs = append(inputs, logparse.Input{Name: l[0], Size: int64(len(l[1]))})
	}
	w, err := Create(dir, inputs, opt)
	if err != nil {
		t.Fatal(err)
	}
	w.fileRows, w.memBytes = fileRows, memBytes
	for _, l := range logs {
		r := logparse.NewReader(strings.NewReader(l[1]), f)
		r.Name = l[0]
		for rec, err := range r.All() {
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func readAll(t *testing.T, files []string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	return out
}

func TestDatasetDeterministicAndAppendOnly(t *testing.T) {
	a := [2]string{"logs/a/access.log", logLines(300)}
	b := [2]string{"logs/b/access.log", logLines(200)}
	d1, d2 := t.TempDir(), t.TempDir()
	f1 := write(t, d1, [][2]string{a, b}, 100, 150*rowOverhead)
	f2 := write(t, d2, [][2]string{a, b}, 100, 150*rowOverhead)
	if len(f1) < 4 {
		t.Fatalf("want several files (bounded buffers), got %d", len(f1))
	}
	rel := func(dir string, files []string) map[string][]byte {
		out := map[string][]byte{}
		for k, v := range readAll(t, files) {
			r, _ := filepath.Rel(dir, k)
			out[r] = v
		}
		return out
	}
	r1, r2 := rel(d1, f1), rel(d2, f2)
	if len(r1) != len(r2) {
		t.Fatalf("runs wrote %d and %d files", len(r1), len(r2))
	}
	for k, v := range r1 {
		if !bytes.Equal(v, r2[k]) {
			t.Errorf("%s differs between two runs on the same input", k)
		}
	}

	// Part of the logs, then the rest: the first run's files stay as they
	// were, the second adds files.
	d3 := t.TempDir()
	first := readAll(t, write(t, d3, [][2]string{a}, 1000, MemoryBytes))
	second := write(t, d3, [][2]string{b}, 1000, MemoryBytes)
	for f, want := range first {
		got, err := os.ReadFile(f)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s was rewritten by the second run (err %v)", f, err)
		}
		if slices.Contains(second, f) {
			t.Errorf("%s written by both runs", f)
		}
	}
	rows := testutil.DumpParquet(t, second[0],
		fmt.Sprintf("SELECT count(*) AS n, count(DISTINCT log_source) AS s FROM read_parquet('%s/requests/*/*/*.parquet', hive_partitioning = true)", d3))
	if diff := cmp.Diff([]map[string]any{{"n": 500.0, "s": 2.0}}, rows); diff != "" {
		t.Errorf("rows after two runs (-want +got):\n%s", diff)
	}
}

func TestDatasetReadByDuckDB(t *testing.T) {
	dir := t.TempDir()
	files := write(t, dir, [][2]string{{"logs/a/access.log", logLines(300)}}, 200, MemoryBytes)
	glob := dir + "/requests/*/*/*.parquet"
	q := func(sql string) []map[string]any {
		return testutil.DumpParquet(t, files[0], strings.ReplaceAll(sql, "{glob}", "'"+glob+"'"))
	}
	// Types and partitions.
	got := q(`SELECT typeof(time) AS time, typeof(time_us) AS us, typeof(status) AS status, typeof(delivered_bytes) AS bytes,
		typeof(source) AS source, typeof(date) AS date
		FROM read_parquet({glob}, hive_partitioning = true) LIMIT 1`)
	want := []map[string]any{{"time": "TIMESTAMP WITH TIME ZONE", "us": "BIGINT", "status": "INTEGER", "bytes": "BIGINT", "source": "VARCHAR", "date": "DATE"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	// Values: the engine's reading of a 206 and of a listing.
	got = q(`SELECT path_key, delivery, delivered_bytes, range_source, range_start, range_end, listing, listing_folder,
		offset_minutes, time_text, CAST(date AS VARCHAR) AS date, source
		FROM read_parquet({glob}, hive_partitioning = true) WHERE line IN (2, 4, 8) ORDER BY line`)
	want = []map[string]any{
		{"path_key": "/nas/2019/a1.mp3", "delivery": "content", "delivered_bytes": 1000.0, "range_source": "", "range_start": nil, "range_end": nil,
			"listing": false, "listing_folder": nil, "offset_minutes": 60.0, "time_text": "2019-02-11T10:01:59+01:00", "date": "2019-02-11", "source": "logs/a/access.log"},
		{"path_key": "/nas/2019/a3.mp3", "delivery": "content", "delivered_bytes": 100.0, "range_source": "range", "range_start": 100.0, "range_end": 200.0,
			"listing": false, "listing_folder": nil, "offset_minutes": 60.0, "time_text": "2019-02-11T10:03:57+01:00", "date": "2019-02-11", "source": "logs/a/access.log"},
		{"path_key": "/nas/2019/", "delivery": "content", "delivered_bytes": 1000.0, "range_source": "", "range_start": nil, "range_end": nil,
			"listing": true, "listing_folder": "/nas/2019/", "offset_minutes": 60.0, "time_text": "2019-02-11T10:07:53+01:00", "date": "2019-02-11", "source": "logs/a/access.log"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	// Sorted by time within each file; row groups bounded; zstd,
	// dictionaries and statistics on the path key.
	for _, f := range files {
		rows := testutil.DumpParquet(t, f, `SELECT count(*) AS n FROM (SELECT time, lag(time) OVER () AS prev FROM data) WHERE time < prev`)
		if rows[0]["n"] != 0.0 {
			t.Errorf("%s: %v rows out of time order", filepath.Base(f), rows[0]["n"])
		}
	}
	meta := testutil.DumpParquet(t, files[0], `SELECT max(row_group_num_rows) AS rows, string_agg(DISTINCT compression, ',') AS codec,
		bool_or(encodings LIKE '%DICTIONARY%') FILTER (WHERE path_in_schema = 'path_key') AS dict,
		max(stats_min_value) FILTER (WHERE path_in_schema = 'path_key') AS min_key
		FROM parquet_metadata({file})`)
	if m := meta[0]; m["codec"] != "ZSTD" || m["dict"] != true || m["min_key"] == nil || m["rows"].(float64) > RowGroupRows {
		t.Errorf("metadata: %v", m)
	}
	kv := testutil.DumpParquet(t, files[0], `SELECT count(*) AS n FROM parquet_kv_metadata({file}) WHERE decode(key) = 'forensics.dataset'`)
	if kv[0]["n"] != 1.0 {
		t.Errorf("no forensics.dataset key in the file's metadata")
	}
}

// TestDatasetActorPlaceAndAgent checks the actor columns analyze's
// attribution needs: the GeoIP lookup of the actor's address in the test
// databases (documentation ranges; empty for an address they do not
// hold), each request's user agent as the parser reads it, and NULL for
// both without a database or a parser.
func TestDatasetActorPlaceAndAgent(t *testing.T) {
	dir := t.TempDir()
	db, err := geoiptest.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clients := []struct{ addr, ua string }{
		{"192.0.2.200", "Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0"},
		{"2001:db8:4::1", "curl/8.0"},
		{"10.0.0.1", ""},
	}
	var log strings.Builder
	for i, c := range clients {
		fmt.Fprintf(&log, "%s - - [11/Feb/2019:10:00:0%d +0100] \"GET /rec/2019/a1.mp3 HTTP/1.1\" 200 1000 \"-\" %q \"-\" 0.010 OK 1300\n", c.addr, i, c.ua)
	}
	logs := [][2]string{{"access.log", log.String()}}
	parser := useragent.New(16)
	files := writeWith(t, filepath.Join(dir, "with"), logs, Options{Geo: db, UserAgents: parser}, FileRows, MemoryBytes)
	got := testutil.DumpParquet(t, files[0], "SELECT actor, country, city, asn, as_org, ua_class, ua_name FROM data ORDER BY line")
	var want []map[string]any
	for _, c := range clients {
		e, _ := geoiptest.Want(netip.MustParseAddr(c.addr))
		u := parser.ParseUserAgent(c.ua)
		want = append(want, map[string]any{"actor": c.addr, "country": e.Country, "city": e.City, "asn": float64(e.ASN), "as_org": e.ASOrg,
			"ua_class": u.Class, "ua_name": u.Name})
	}
	if want[0]["country"] != "SE" || want[1]["city"] != "" || want[2]["asn"] != 0.0 || want[0]["ua_class"] != exposure.UABrowser {
		t.Fatalf("the fixture does not exercise a place, a country only, no entry and a browser: %v", want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("actor columns (-want +got):\n%s", diff)
	}
	files = writeWith(t, filepath.Join(dir, "without"), logs, Options{}, FileRows, MemoryBytes)
	got = testutil.DumpParquet(t, files[0], "SELECT count(*) AS n FROM data WHERE country IS NULL AND city IS NULL AND asn IS NULL AND as_org IS NULL AND ua_class IS NULL AND ua_name IS NULL")
	if got[0]["n"] != float64(len(clients)) {
		t.Errorf("without a database and a parser: %v of %d rows have NULL actor columns", got[0]["n"], len(clients))
	}
}
