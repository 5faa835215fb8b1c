package parquetout_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/internal/parquetout"
	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/pkg/logparse"
)

const rangeLog = `192.0.2.201 - - [08/Feb/2019:21:31:02 +0100] "GET /recordings/Stockholm/2019/02/08/STO100590_0701740605.mp3 HTTP/1.1" 206 65536 "-" "Lavf/58.20.100" "bytes=0-65535" 0.300 OK 65781
2001:db8:2::17 - - [15/Jan/2019:02:10:00 +0100] "HEAD /a%20b.mp3?x=1 HTTP/1.1" 200 0 "http://example.net/" "-" "-" 0.001 - 245
`

func readAll(t *testing.T, log, format string) []*logparse.Record {
	t.Helper()
	f, err := logparse.ParseFormat(format)
	if err != nil {
		t.Fatal(err)
	}
	r := logparse.NewReader(strings.NewReader(log), f)
	r.Name = "access.log"
	var out []*logparse.Record
	for rec, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNewRecordJSON(t *testing.T) {
	recs := readAll(t, rangeLog, "nginx_range")
	var got []map[string]any
	for _, rec := range recs {
		b, err := json.Marshal(parquetout.NewRecord(rec))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	want := []map[string]any{
		{
			"time": "2019-02-08T21:31:02+01:00", "client": "192.0.2.201", "forwarded_for": "", "ident": "", "user": "",
			"method": "GET", "target": "/recordings/Stockholm/2019/02/08/STO100590_0701740605.mp3",
			"path": "/recordings/Stockholm/2019/02/08/STO100590_0701740605.mp3", "query": "", "protocol": "HTTP/1.1",
			"status": 206.0, "body_bytes": 65536.0, "wire_bytes": 65781.0, "request_bytes": nil,
			"range": "bytes=0-65535", "content_range": "", "vhost": "", "server_port": nil, "referer": "",
			"user_agent": "Lavf/58.20.100", "duration_ms": 300.0, "completion": "complete", "extra": map[string]any{},
			"source": "access.log", "line": 1.0, "offset": 0.0,
		},
		{
			"time": "2019-01-15T02:10:00+01:00", "client": "2001:db8:2::17", "forwarded_for": "", "ident": "", "user": "",
			"method": "HEAD", "target": "/a%20b.mp3?x=1", "path": "/a b.mp3", "query": "x=1", "protocol": "HTTP/1.1",
			"status": 200.0, "body_bytes": 0.0, "wire_bytes": 245.0, "request_bytes": nil,
			"range": "", "content_range": "", "vhost": "", "server_port": nil, "referer": "http://example.net/",
			"user_agent": "", "duration_ms": 1.0, "completion": "aborted", "extra": map[string]any{},
			"source": "access.log", "line": 2.0, "offset": float64(strings.IndexByte(rangeLog, '\n') + 1),
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNewRecordParquet(t *testing.T) {
	recs := readAll(t, rangeLog, "nginx_range")
	recs[0].Extra = []logparse.Field{{Name: "$upstream_addr", Value: "10.1.2.3:80"}}
	rows := []parquetout.Record{parquetout.NewRecord(recs[0]), parquetout.NewRecord(recs[1])}
	path := filepath.Join(t.TempDir(), "records.parquet")
	if err := parquetout.WriteFile(path, rows); err != nil {
		t.Fatal(err)
	}
	got := testutil.DumpParquet(t, path,
		"SELECT time, client, status, body_bytes, request_bytes, duration_ms, completion, extra['$upstream_addr'] AS upstream, line FROM data")
	want := []map[string]any{
		{"time": "2019-02-08T21:31:02+01:00", "client": "192.0.2.201", "status": 206.0, "body_bytes": 65536.0,
			"request_bytes": nil, "duration_ms": 300.0, "completion": "complete", "upstream": "10.1.2.3:80", "line": 1.0},
		{"time": "2019-01-15T02:10:00+01:00", "client": "2001:db8:2::17", "status": 200.0, "body_bytes": 0.0,
			"request_bytes": nil, "duration_ms": 1.0, "completion": "aborted", "upstream": nil, "line": 2.0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNewRecordInvalidUTF8(t *testing.T) {
	rec := &logparse.Record{UserAgent: "a\xffb", BodyBytes: logparse.NotLogged, WireBytes: logparse.NotLogged,
		RequestBytes: logparse.NotLogged, Duration: logparse.NotLogged}
	r := parquetout.NewRecord(rec)
	if r.UserAgent != "a\uFFFDb" {
		t.Errorf("UserAgent = %q, want the bad byte replaced", r.UserAgent)
	}
	if r.Time != nil || r.Client != nil || r.Status != nil || r.BodyBytes != nil || r.DurationMS != nil {
		t.Errorf("unlogged fields are not null: %+v", r)
	}
}
