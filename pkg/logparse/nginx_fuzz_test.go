package logparse

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nginxFuzzSeeds returns the testdata logs and their format specs.
func nginxFuzzSeeds(f *testing.F) (logs [][]byte, specs []string) {
	f.Helper()
	formats, err := filepath.Glob("testdata/nginx/*.format")
	if err != nil || len(formats) == 0 {
		f.Fatalf("no testdata/nginx/*.format: %v", err)
	}
	for _, ff := range formats {
		spec, err := os.ReadFile(ff)
		if err != nil {
			f.Fatal(err)
		}
		data, err := os.ReadFile(strings.TrimSuffix(ff, ".format") + ".log")
		if err != nil {
			f.Fatal(err)
		}
		s := strings.TrimSpace(string(spec))
		if rest, ok := strings.CutPrefix(s, "nginx:"); ok {
			specs = append(specs, rest)
		}
		logs = append(logs, data)
	}
	specs = append(specs, NginxCombinedLogFormat, NginxRangeLogFormat,
		`$host $remote_addr - $request_id $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
		`[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme $host "$request_uri" [Client $remote_addr]`,
		`escape=none $msec ${server_name}:$server_port $uri?$args $request_completion`,
		`$time_iso8601 $realip_remote_addr "$http_x_forwarded_for" $upstream_addr $request_time`,
		`${`, `$`, `escape=`)
	return logs, specs
}

// checkNginxRead reads data to the end and checks the Reader's promises:
// no panic, line errors are *ParseError, line numbers grow, offsets stay
// inside the input, and every line is counted once.
func checkNginxRead(t *testing.T, f Format, data []byte, reuse bool) {
	if sniffCompression(data) != CompressionNone {
		return // NewReader refuses it as a whole: TestReaderCompressed, FuzzReader
	}
	r := NewReader(bytes.NewReader(data), f)
	r.Name = "fuzz.log"
	r.ReuseRecord = reuse
	r.MaxLineLength = 4096
	last := int64(0)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var line, off int64
		if err != nil {
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("error is not a *ParseError: %T %v", err, err)
			}
			if perr.Err == nil {
				t.Fatal("ParseError without a kind")
			}
			line, off = perr.Line, perr.Offset
		} else {
			line, off = rec.Line, rec.Offset
			if rec.Source != "fuzz.log" {
				t.Fatalf("record source %q", rec.Source)
			}
		}
		if line <= last {
			t.Fatalf("line %d after line %d", line, last)
		}
		if off < 0 || off > int64(len(data)) {
			t.Fatalf("line %d: offset %d outside an input of %d bytes", line, off, len(data))
		}
		last = line
	}
	st := r.Stats()
	if st.Lines != st.Records+st.Skipped+st.Rejected {
		t.Fatalf("%d lines != %d records + %d skipped + %d rejected", st.Lines, st.Records, st.Skipped, st.Rejected)
	}
	if st.Bytes != int64(len(data)) {
		t.Fatalf("read %d bytes of %d", st.Bytes, len(data))
	}
}

func FuzzNginxCombined(f *testing.F) {
	logs, _ := nginxFuzzSeeds(f)
	for _, l := range logs {
		f.Add(l)
		for line := range bytes.Lines(l) {
			f.Add(line)
		}
	}
	combined, err := ParseFormat("nginx_combined")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkNginxRead(t, combined, data, true)
		checkNginxRead(t, combined, data, false)
	})
}

func FuzzNginxLogFormat(f *testing.F) {
	logs, specs := nginxFuzzSeeds(f)
	for i, s := range specs {
		f.Add(s, logs[i%len(logs)])
	}
	f.Fuzz(func(t *testing.T, spec string, data []byte) {
		format, err := ParseFormat("nginx:" + spec)
		if err != nil {
			var ferr *FormatStringError
			if !errors.As(err, &ferr) {
				t.Fatalf("compile error is not a *FormatStringError: %v", err)
			}
			if ferr.Pos < 0 || ferr.Pos > len(spec) {
				t.Fatalf("error position %d outside a spec of %d bytes", ferr.Pos, len(spec))
			}
			return
		}
		if format.Name() != "nginx:"+spec {
			t.Fatalf("Name() = %q", format.Name())
		}
		checkNginxRead(t, format, data, true)
	})
}

// nginxEscapeDefault writes b as nginx's escape=default does
// (ngx_http_log_escape): '"', '\' and bytes below 0x20 or from 0x7F as
// \xXX with upper-case hex.
func nginxEscapeDefaultForTest(b []byte) string {
	const hex = "0123456789ABCDEF"
	var s strings.Builder
	for _, c := range b {
		if c == '"' || c == '\\' || c < 0x20 || c >= 0x7F {
			s.WriteString(`\x`)
			s.WriteByte(hex[c>>4])
			s.WriteByte(hex[c&15])
			continue
		}
		s.WriteByte(c)
	}
	return s.String()
}

// nginxEscapeJSONForTest writes b as nginx's escape=json does
// (ngx_escape_json): '"' and '\' behind a backslash, \n \r \t \b \f, other
// bytes below 0x20 as \u00XX, all other bytes raw.
func nginxEscapeJSONForTest(b []byte) string {
	const hex = "0123456789ABCDEF"
	var s strings.Builder
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\b':
			s.WriteString(`\b`)
		case c == '\f':
			s.WriteString(`\f`)
		case c < 0x20:
			s.WriteString(`\u00`)
			s.WriteByte(hex[c>>4])
			s.WriteByte(hex[c&15])
		default:
			s.WriteByte(c)
		}
	}
	return s.String()
}

// FuzzNginxEscapes writes any user agent and request target as nginx
// would with escape=default and escape=json, and checks that they read
// back byte for byte.
func FuzzNginxEscapes(f *testing.F) {
	f.Add([]byte(`probe "quoted" back\slash`+"\t\x01\xc3\xa5\xff"), []byte(`/a"b\c d?q=%41`))
	f.Add([]byte(`\x22`), []byte(`\u0022`))
	f.Add([]byte(""), []byte("/"))
	combined, err := ParseFormat("nginx_combined")
	if err != nil {
		f.Fatal(err)
	}
	json, err := ParseFormat(`nginx:escape=json {"request":"$request","status":$status,"ua":"$http_user_agent"}`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, ua, target []byte) {
		if string(ua) == "-" || len(target) == 0 {
			return // "-" is how nginx writes no value; an empty target is no request line
		}
		for _, tt := range []struct {
			f    Format
			line string
		}{
			{combined, `192.0.2.1 - - [01/Feb/2019:10:00:00 +0100] "GET ` + nginxEscapeDefaultForTest(target) +
				` HTTP/1.1" 200 1 "-" "` + nginxEscapeDefaultForTest(ua) + `"`},
			{json, `{"request":"GET ` + nginxEscapeJSONForTest(target) + ` HTTP/1.1","status":200,"ua":"` +
				nginxEscapeJSONForTest(ua) + `"}`},
		} {
			r := NewReader(strings.NewReader(tt.line), tt.f)
			r.MaxLineLength = len(tt.line) + 1 // a small buffer: fuzzing goes faster
			rec, err := r.Read()
			if err != nil {
				t.Fatalf("%s: %v", tt.f.Name(), err)
			}
			if rec.UserAgent != string(ua) || rec.Target != string(target) || rec.Method != "GET" || rec.Status != 200 {
				t.Fatalf("%s: got method %q target %q user agent %q, want GET %q %q",
					tt.f.Name(), rec.Method, rec.Target, rec.UserAgent, target, ua)
			}
		}
	})
}
