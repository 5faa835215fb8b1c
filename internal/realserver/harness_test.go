package realserver_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forensiclog/forensics/internal/realserver"
)

// A setup is one server writing some log formats.
type setup struct {
	name    string
	kind    realserver.Kind
	formats []string
}

var setups = []setup{
	{"nginx", realserver.Nginx, []string{realserver.FormatDefault, realserver.FormatExtended}},
	{"apache", realserver.Apache, []string{realserver.FormatDefault, realserver.FormatExtended, realserver.FormatUpstream}},
	{"lighttpd-default", realserver.Lighttpd, []string{realserver.FormatDefault}},
	{"lighttpd-extended", realserver.Lighttpd, []string{realserver.FormatExtended}},
}

// serverTZ is the servers' time zone.
const serverTZ = "Europe/Stockholm"

// A run is one scenario played against one server, finished: the server
// is stopped and its logs are complete.
type run struct {
	setup   setup
	srv     *realserver.Server
	tree    *realserver.Tree
	truth   *realserver.Truth
	index   string
	formats []realserver.LogFormat
}

// requireBinary skips when kind's binary is absent, unless CI is set.
func requireBinary(t *testing.T, kind realserver.Kind) {
	t.Helper()
	if _, err := realserver.Binary(kind); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v (CI is set: .ci/run installs it)", err)
		}
		t.Skipf("%v: install it (apt-get install nginx apache2 lighttpd caddy haproxy) to run this test", err)
	}
}

// play starts the setup's server, runs the scenario with one log rotation,
// stops the server and writes the index.
func play(t *testing.T, s setup) *run {
	t.Helper()
	requireBinary(t, s.kind)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	docRoot, dir := t.TempDir(), t.TempDir()
	tree, err := realserver.BuildTree(docRoot, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	all := realserver.Formats(s.kind)
	var fs []realserver.LogFormat
	for _, n := range s.formats {
		fs = append(fs, all[n])
	}
	// Swedish servers log Swedish time: the analyzer must keep the
	// offset and compare with the index's UTC times.
	srv, err := realserver.Start(ctx, realserver.Config{Kind: s.kind, Dir: dir, DocRoot: docRoot, Formats: fs, TZ: serverTZ})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Kill)
	sc := &realserver.Scenario{Server: srv, Tree: tree, Rotate: srv.Rotate}
	truth, err := sc.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	index := dir + "/index.csv"
	if err := tree.WriteIndex(index); err != nil {
		t.Fatal(err)
	}
	r := &run{setup: s, srv: srv, tree: tree, truth: truth, index: index, formats: fs}
	keep(t, r)
	return r
}

// keep copies a run's logs and index, and the client-side truth as
// truth.json, to $REALSERVER_KEEP/<setup>/ when that variable is set, for
// looking at them by hand.
func keep(t *testing.T, r *run) {
	t.Helper()
	root := os.Getenv("REALSERVER_KEEP")
	if root == "" {
		return
	}
	dst := filepath.Join(root, r.setup.name)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	files := []string{r.index, r.srv.ErrorLog()}
	for _, f := range r.formats {
		files = append(files, r.srv.LogFiles(f.Name)...)
	}
	truth, err := json.MarshalIndent(struct {
		Exchanges []realserver.Exchange
		Pairs     []realserver.Pair
	}{r.truth.Exchanges, r.truth.Pairs()}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "truth.json"), truth, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) && f == r.srv.ErrorLog() {
			continue // Caddy and HAProxy write none of their own
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// logLines returns the lines of a log file, gunzipping .gz files.
func logLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r = zr
	}
	var lines []string
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			lines = append(lines, strings.TrimSuffix(line, "\n"))
		}
		if err == io.EOF {
			return lines
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}
