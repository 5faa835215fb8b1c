package logparse

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/forensiclog/forensics/internal/testutil"
)

// The real-world corpus lives outside the repository (it is not ours to
// commit): see testutil.Corpus. SOURCES.md there says what each file is and
// where it comes from.

func init() {
	// Other test files of the package may define -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	v, _ := f.Value.(flag.Getter).Get().(bool)
	return v
}

// unsupportedDirs hold formats we do not read: the test records what
// Detect says of them.
var unsupportedDirs = []string{
	"aws_alb", "aws_elb_classic", "aws_nlb", "squid", "envoy", "traefik_json",
	"tomcat_accesslog", "uwsgi", "cloudflare_json", "fastly_json",
	"azure_appgw_json", "other",
}

// unsupportedFiles are files in supported folders that hold no access log
// we read.
var unsupportedFiles = map[string]string{
	"nginx_custom/crowdsec-hub-pfsense-rfc5424-nginx-syslog.log": "an nginx error log inside syslog",
}

// realWorldFormats gives the format of files that detection cannot know:
// custom LogFormat and log_format strings, written from the format the
// file's source documents (see SOURCES.md).
var realWorldFormats = map[string]string{
	"apache_custom/filebeat-apache-access-ssl-request.log":  `apache:%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%r" %b`,
	"apache_custom/lnav-logfile_regexp_access_log.0.log":    `apache:%v:%p %h %{SESSIONID}C %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D`,
	"apache_custom/mtail-apache-common-with-duration.log":   `apache:%h %l %u %t "%r" %>s %b %D "%{Referer}i" "%{User-agent}i"`,
	"lighttpd/mtail-lighttpd_access.log":                    `apache:%{X-Forwarded-For}i %h %u %t "%r" %>s %b %I %O %T "%{Referer}i" "%{User-Agent}i"`,
	"nginx_custom/crowdsec-hub-bunkerweb-logs.log":          `nginx:$host $remote_addr - $request_id $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
	"nginx_custom/filebeat-nginx-access-test-with-host.log": `nginx:$host $http_x_forwarded_for - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
	"nginx_custom/filebeat-nginx-ingress_controller-test.log": `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ` +
		`$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`,
	"nginx_custom/gonx-example-access.log":                   `nginx:$remote_addr [$time_local] "$request" $status $request_length $body_bytes_sent $request_time "$t_size" $read_time $gen_time`,
	"nginx_custom/crowdsec-hub-nginx-proxy-manager-logs.log": `nginx:[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] [Sent-to $server] "$http_user_agent" "$http_referer"`,
	"traefik/crowdsec-hub-traefik_clf.log":                   `apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %{count}n "%{router}n" "%{server}n" %{duration}nms`,
	"traefik/filebeat-traefik-access-tests-test.log":         `apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %{count}n "%{router}n" "%{server}n" %{duration}nms`,
	"litespeed/crowdsec-hub-litespeed-logs-mixed.log":        "combined",
	"nginx_custom/crowdsec-hub-npmplus-logs-mixed.log":       `nginx:[$time_local] $host $remote_addr $request_time "$request" $status $body_bytes_sent $request_length $http_referer $http_user_agent`,

	// Files that detection rightly refuses (damaged): read in the format
	// they claim to be, so that the golden file shows which lines fail and
	// why.
	"nginx_combined/bitfield-script-testdata-access.log": "combined",
}

// TestRealWorld reads every file of the real-world corpus and compares
// what it found with testdata/realworld.golden: the format, the counts and
// the rejected lines by kind and number, never line contents. Regenerate
// with
//
//	go test ./pkg/logparse -run RealWorld -update
//
// and review every rejection against testdata/realworld.notes.
func TestRealWorld(t *testing.T) {
	dir := testutil.Corpus(t)
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && filepath.Dir(path) != dir {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	var out bytes.Buffer
	out.WriteString("# What logparse makes of the real-world corpus (see realworld_test.go).\n")
	out.WriteString("# Regenerate: go test ./pkg/logparse -run RealWorld -update\n")
	for _, rel := range files {
		fmt.Fprintf(&out, "\n== %s\n", rel)
		describeRealWorld(t, &out, filepath.Join(dir, filepath.FromSlash(rel)), rel)
	}
	golden := filepath.Join("testdata", "realworld.golden")
	if updateGolden() {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("real-world results differ from %s; run with -update and review the diff:\n%s", golden, lineDiff(string(want), got))
	}
	checkRealWorldNotes(t, out.String())
}

// describeRealWorld reads one corpus file and writes what was found.
func describeRealWorld(t *testing.T, w io.Writer, path, rel string) {
	t.Helper()
	top, _, _ := strings.Cut(rel, "/")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(unsupportedDirs, top) || unsupportedFiles[rel] != "" {
		why := unsupportedFiles[rel]
		if why == "" {
			why = "format not supported (" + top + ")"
		}
		fmt.Fprintf(w, "unsupported: %s\n", why)
		if _, d, err := Detect(data); err != nil {
			fmt.Fprintf(w, "detect: %s\n", withoutScores(err))
		} else {
			// A foreign format that a parser accepts: worth a look.
			fmt.Fprintf(w, "detect: chose %s for a format not listed as supported\n", d.Format)
		}
		return
	}
	var f Format
	if spec, ok := realWorldFormats[rel]; ok {
		f, err = ParseFormat(spec)
		if err != nil {
			fmt.Fprintf(w, "format error: %v\n", err)
			return
		}
		fmt.Fprintf(w, "format: %s (given)\n", spec)
	} else {
		var d Detection
		f, d, err = Detect(data)
		if err != nil {
			fmt.Fprintf(w, "detect: %s\n", withoutScores(err))
			return
		}
		// The evidence that decided, without the scores (which move with
		// every field a parser learns to fill).
		fmt.Fprintf(w, "format: %s (detected)\n", d.Format)
		if _, why, ok := strings.Cut(d.Reason, "; "); ok {
			fmt.Fprintf(w, "why: %s\n", why)
		}
	}
	in := ReaderInput(rel, bytes.NewReader(data))
	ir, err := in.Open()
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(ir, f)
	r.Name = rel
	rejected := make(map[string][]int64)
	var fatal error
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *ParseError
		if errors.As(err, &perr) {
			if perr.Path != rel {
				t.Errorf("%s:%d: error names input %q", rel, perr.Line, perr.Path)
			}
			if tok := quotedToken(perr, data); tok != "" {
				t.Errorf("%s:%d: error message holds line contents (%d bytes)", rel, perr.Line, len(tok))
			}
			if perr.Offset < 0 || perr.Offset > int64(len(data)) {
				t.Errorf("%s:%d: offset %d outside the input", rel, perr.Line, perr.Offset)
			}
			kind := errorKind(perr.Err).Error()
			rejected[kind] = append(rejected[kind], perr.Line)
			continue
		}
		if err != nil {
			fatal = err
			break
		}
	}
	s := r.Stats()
	if s.Lines != s.Records+s.Skipped+s.Rejected {
		t.Errorf("%s: stats do not add up: %+v", rel, s)
	}
	if s.Bytes != int64(len(data)) && fatal == nil {
		t.Errorf("%s: read %d bytes of %d", rel, s.Bytes, len(data))
	}
	fmt.Fprintf(w, "lines %d records %d skipped %d rejected %d\n", s.Lines, s.Records, s.Skipped, s.Rejected)
	if s.CRLF+s.InvalidUTF8+s.NULPrefixed > 0 {
		fmt.Fprintf(w, "crlf %d invalid-utf8 %d nul-prefixed %d\n", s.CRLF, s.InvalidUTF8, s.NULPrefixed)
	}
	for _, kind := range slices.Sorted(maps.Keys(rejected)) {
		fmt.Fprintf(w, "rejected %q: %s\n", kind, lineRanges(rejected[kind]))
	}
	if fatal != nil {
		fmt.Fprintf(w, "fatal: %v\n", fatal)
	}
}

// quotedToken returns a word of the error's line that its message
// repeats, or "" when it repeats none: messages must not quote lines.
// Words shorter than 6 bytes or without letters are too plain to tell.
func quotedToken(perr *ParseError, data []byte) string {
	_, msg, _ := strings.Cut(perr.Error(), ": ") // drop "path:line:col"
	start := int(min(max(perr.Offset, 0), int64(len(data))))
	if i := bytes.LastIndexByte(data[:start], '\n'); i >= 0 {
		start = i + 1
	} else {
		start = 0
	}
	line := data[start:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	for _, tok := range strings.Fields(string(line)) {
		if len(tok) >= 6 && strings.ContainsFunc(tok, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) && strings.Contains(msg, tok) {
			return tok
		}
	}
	return ""
}

// withoutScores returns a detection error's message without the
// candidates' scores, which move with every field a parser learns.
func withoutScores(err error) string {
	msg, _, _ := strings.Cut(err.Error(), " (best: ")
	msg, _, _ = strings.Cut(msg, ": formats tie: ")
	return msg
}

// lineRanges formats sorted line numbers as "3 7-9 12".
func lineRanges(lines []int64) string {
	var parts []string
	for i := 0; i < len(lines); {
		j := i
		for j+1 < len(lines) && lines[j+1] == lines[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.FormatInt(lines[i], 10))
		} else {
			parts = append(parts, strconv.FormatInt(lines[i], 10)+"-"+strconv.FormatInt(lines[j], 10))
		}
		i = j + 1
	}
	return strings.Join(parts, " ")
}

// checkRealWorldNotes checks that every file with rejected lines has a
// justification in testdata/realworld.notes ("path: reason" lines).
func checkRealWorldNotes(t *testing.T, golden string) {
	t.Helper()
	notes, err := os.ReadFile(filepath.Join("testdata", "realworld.notes"))
	if err != nil {
		t.Fatal(err)
	}
	noted := make(map[string]bool)
	for line := range strings.Lines(string(notes)) {
		if path, _, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, "#") {
			noted[path] = true
		}
	}
	for _, block := range strings.Split(golden, "\n== ")[1:] {
		file, body, _ := strings.Cut(block, "\n")
		unsupported := strings.Contains(body, "\nunsupported:") || strings.HasPrefix(body, "unsupported:")
		needs := false
		for line := range strings.Lines(body) {
			switch {
			case strings.HasPrefix(line, "rejected "), strings.HasPrefix(line, "fatal:"),
				strings.HasPrefix(line, "format error:"), strings.HasPrefix(line, "detect: chose"):
				needs = true
			case strings.HasPrefix(line, "detect:") && !unsupported:
				needs = true
			}
		}
		if needs && !noted[file] {
			t.Errorf("%s: rejected lines or a detection problem without a note in testdata/realworld.notes", file)
		}
	}
}

// lineDiff shows the lines that differ, for a readable failure.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(wl), len(gl)) && n < 40; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d:\n  - %s\n  + %s\n", i+1, w, g)
			n++
		}
	}
	return b.String()
}
