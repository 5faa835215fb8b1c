package logparse

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const caddyLine = `{"level":"info","ts":1550523751.5,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"198.51.100.60","remote_port":"51000","client_ip":"203.0.113.8","proto":"HTTP/2.0","method":"GET","host":"example.org","uri":"/samtal/a%20b.mp3?x=1","headers":{"User-Agent":["Mozilla/5.0 (X11)"],"Range":["bytes=0-"],"Referer":["https://example.org/"],"X-Forwarded-For":["203.0.113.8"],"Accept":["audio/*","*/*"]},"tls":{"resumed":false,"version":772}},"bytes_read":0,"user_id":"alice","duration":0.25,"size":65536,"status":206,"resp_headers":{"Content-Range":["bytes 0-65535/2390282"]}}`

func caddyBase() Record {
	want := fxRec()
	want.Time = fxDate("2019-02-18T21:02:31.5Z")
	want.Client, want.ForwardedFor, want.User = fxAddr("198.51.100.60"), "203.0.113.8", "alice"
	want.Method, want.Target, want.Path, want.Query, want.Protocol = "GET", "/samtal/a%20b.mp3?x=1", "/samtal/a b.mp3", "x=1", "HTTP/2.0"
	want.Status, want.BodyBytes, want.RequestBytes, want.Duration = 206, 65536, 0, 250*time.Millisecond
	want.VHost, want.UserAgent, want.Referer, want.Range = "example.org", "Mozilla/5.0 (X11)", "https://example.org/", "bytes=0-"
	want.ContentRange = "bytes 0-65535/2390282"
	want.Extra = []Field{{"level", "info"}, {"logger", "http.log.access"}, {"msg", "handled request"},
		{"request.remote_port", "51000"}, {"request.client_ip", "203.0.113.8"},
		{"request.headers.Accept", "audio/*, */*"}, {"request.tls.resumed", "false"}, {"request.tls.version", "772"}}
	return want
}

func TestCaddySuccess(t *testing.T) {
	f := CaddyFormat{}
	t.Run("access", func(t *testing.T) { fxSuccess(t, f, caddyLine+"\n", caddyBase()) })
	t.Run("nano-duration-string-ts", func(t *testing.T) {
		want := caddyBase()
		want.Time = time.Date(2019, 2, 18, 22, 2, 31, 500e6, time.FixedZone("", 3600))
		want.Duration = 17557019
		in := strings.Replace(caddyLine, `"ts":1550523751.5`, `"ts":"2019-02-18T22:02:31.500+01:00"`, 1)
		in = strings.Replace(in, `"duration":0.25`, `"duration":17557019`, 1)
		fxSuccess(t, f, in+"\n", want)
	})
	t.Run("client-ip-when-no-remote-ip", func(t *testing.T) {
		want := caddyBase()
		want.Client = fxAddr("203.0.113.8")
		want.Extra = append(want.Extra[:3:3], want.Extra[5:]...)
		want.Extra = append([]Field{}, want.Extra...)
		want.Extra = append(want.Extra[:3], append([]Field{{"request.remote_port", "51000"}}, want.Extra[3:]...)...)
		fxSuccess(t, f, strings.Replace(caddyLine, `"remote_ip":"198.51.100.60",`, "", 1)+"\n", want)
	})
}

func TestCaddySkipsRuntimeMessages(t *testing.T) {
	_, rejs, st := fxRead(t, CaddyFormat{}, `{"level":"info","ts":1550523752.0,"msg":"serving initial configuration"}`+"\n\n")
	if st.Skipped != 2 || len(rejs) != 0 {
		t.Errorf("stats %+v rejects %v", st, rejs)
	}
}

func TestJSONFailure(t *testing.T) {
	cases := []struct {
		name string
		in   string
		kind error
		col  int
	}{
		{"not-json", "caddy  | " + caddyLine, ErrSyntax, 1},
		{"array", `[1,2]`, ErrSyntax, 1},
		{"broken", `{"ts":1550523751.5,"request":{"method":"GET"`, ErrSyntax, 0},
		{"bad-value", `{"ts":1550523751.5,"request":{"method":GET}}`, ErrSyntax, 0},
		{"trailing", `{"request":{}} {}`, ErrTrailing, 0},
		{"bad-ts", `{"ts":"yesterday","request":{}}`, ErrTimestamp, 0},
		{"bad-status", `{"status":"OK","request":{}}`, ErrStatus, 0},
		{"bad-size", `{"size":-1,"request":{}}`, ErrNumber, 0},
		{"bad-duration", `{"duration":"soon","request":{}}`, ErrNumber, 0},
		{"too-deep", `{"request":{}, "a":` + strings.Repeat(`{"a":`, MaxJSONDepth+2) + "1" + strings.Repeat("}", MaxJSONDepth+3), ErrSyntax, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { fxFailure(t, CaddyFormat{}, c.in+"\n", c.kind, c.col) })
	}
}

func TestJSONLMapping(t *testing.T) {
	t.Run("default-mapping-nginx", func(t *testing.T) {
		want := fxRec()
		want.Time = time.Date(2019, 2, 18, 21, 2, 31, 0, time.FixedZone("", 3600))
		want.Client = fxAddr("198.51.100.61")
		want.Method, want.Target, want.Path, want.Protocol = "GET", "/samtal/rec-000001.mp3", "/samtal/rec-000001.mp3", "HTTP/1.1"
		want.Status, want.BodyBytes, want.UserAgent, want.Duration = 200, 2390282, "curl/7.64.0", 250*time.Millisecond
		want.Extra = []Field{{"upstream.addr", "192.0.2.1:8080"}, {"upstream.tries", "2"}}
		data, _ := os.ReadFile("testdata/json/nginx.log")
		fxSuccess(t, JSONFormat{}, string(data), want)
	})
	t.Run("custom-mapping-ms", func(t *testing.T) {
		f := JSONFormat{Mapping: map[string]string{
			"Time": "t", "Client": "c.ip|c.host", "Target": "u", "Status": "s", "WireBytes": "b",
			"Duration": "ms", "ServerPort": "port", "Query": "q",
		}, DurationUnit: time.Millisecond}
		if err := f.Check(); err != nil {
			t.Fatal(err)
		}
		want := fxRec()
		want.Time = time.UnixMilli(1550523751500).UTC()
		want.ClientHost = "client.example"
		want.Target, want.Path, want.Query = "/a", "/a", "z=1"
		want.Status, want.WireBytes, want.Duration, want.ServerPort = 304, 210, 1500*time.Microsecond, 8443
		want.Extra = []Field{{"list.0.k", "v"}, {"flag", "true"}}
		fxSuccess(t, f, `{"t":1550523751500,"c":{"host":"client.example"},"u":"/a","q":"z=1","s":"304","b":210,"ms":1.5,"port":8443,"list":[{"k":"v"}],"flag":true,"nothing":null}`+"\n", want)
	})
	t.Run("check", func(t *testing.T) {
		if err := (JSONFormat{Mapping: map[string]string{"Tiem": "ts"}}).Check(); err == nil {
			t.Error("Check accepted an unknown Record field")
		}
	})
	t.Run("extra-bound", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"time":1550523751`)
		for i := 0; i < MaxJSONExtra+10; i++ {
			b.WriteString(`,"k` + strconv.Itoa(i) + `":1`)
		}
		b.WriteString("}\n")
		got, err := fxLast(JSONFormat{}, b.String())
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := got.Field("logparse.dropped"); len(got.Extra) != MaxJSONExtra+1 || v != "10" {
			t.Errorf("%d extra fields, dropped %q", len(got.Extra), v)
		}
	})
}

func TestCaddyRealWorld(t *testing.T) {
	fxCorpus(t, CaddyFormat{}, "caddy_json", []fxCorpusCase{
		{file: "crowdsec-hub-caddy-basic-auth-bf.json", records: 6},
		// Line 11 is a reverse-proxy debug message, line 12 blank.
		{file: "crowdsec-hub-caddy-logs.json", records: 10, skipped: 2},
		// Every line carries docker compose's "caddy  | " prefix: not JSON.
		// Stripping such prefixes is input handling, not this format's job.
		{file: "lnav-logfile_caddy_log.0-docker-compose-prefixed.log", rejected: fxRejects(ErrSyntax,
			1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
			21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39)},
		{file: "lnav-logfile_caddy_log.1.json", records: 4},
	})
}

func TestCaddyTestdata(t *testing.T) {
	data, _ := os.ReadFile("testdata/json/caddy.log")
	recs, rejs, st := fxRead(t, CaddyFormat{}, string(data))
	if len(recs) != 1 || len(rejs) != 0 || st.Skipped != 1 {
		t.Fatalf("%d records, rejects %v, stats %+v", len(recs), rejs, st)
	}
	if r := recs[0]; r.Range != "bytes=0-" || r.ContentRange != "bytes 0-65535/2390282" || r.BodyBytes != 65536 {
		t.Errorf("record: %q %q %d", r.Range, r.ContentRange, r.BodyBytes)
	}
}

func BenchmarkCaddy(b *testing.B) {
	fxBench(b, CaddyFormat{}, fxBenchData("", caddyLine+"\n", 500))
}

func TestJSONStrings(t *testing.T) {
	got, err := fxLast(JSONFormat{Mapping: map[string]string{"UserAgent": "ua"}},
		`{"ua":"a\"b\\c\/d\u00e9\ud83d\ude00\t","k\u0041":"plain","n":-1.5e3,"e":[],"o":{},"z":null}`+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if got.UserAgent != "a\"b\\c/d\u00e9\U0001F600\t" {
		t.Errorf("UserAgent %q", got.UserAgent)
	}
	want := []Field{{"kA", "plain"}, {"n", "-1.5e3"}}
	if diff := cmp.Diff(want, got.Extra); diff != "" {
		t.Errorf("Extra (-want +got):\n%s", diff)
	}
}
