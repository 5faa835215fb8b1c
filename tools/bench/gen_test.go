package bench

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Stockholm for the offset check

	"github.com/google/go-cmp/cmp"
)

// TestTinyStats generates the tiny preset and recounts, from the files
// alone, every figure the generator reports; it also checks the rules the
// data must follow (valid numbers, children, addresses, time order, no
// delivery before a file existed).
func TestTinyStats(t *testing.T) {
	cfg, err := Preset("tiny", 7)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	got, err := Generate(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	idx := readIndex(t, filepath.Join(dir, "index.csv"))
	want := recount(t, idx, filepath.Join(dir, "access.log"))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats differ from the files (-recounted +reported):\n%s", diff)
	}
	// The shape of the incident, loosely: the tiny preset is small, so
	// the bounds are wide, but a broken generator falls outside them.
	checks := []struct {
		name      string
		v, lo, hi float64
	}{
		{"persons per recording", float64(got.Persons) / float64(got.Recordings), 1.3, 1.7},
		{"children share of persons", float64(got.Children) / float64(got.Persons), 0.1, 0.3},
		{"samordningsnummer share", float64(got.Samordningsnummer) / float64(got.Persons), 0.005, 0.05},
		{"recording requests share of lines", float64(got.RecordingRequests) / float64(got.Lines), 0.5, 0.8},
		{"listing share of lines", float64(got.Listings) / float64(got.Lines), 0.05, 0.2},
		{"clients seen", float64(got.Clients) / float64(cfg.Clients), 0.95, 1},
		{"IPv6 share of clients", float64(got.ClientsIPv6) / float64(got.Clients), 0.5, 0.9},
		{"partial (206) share of lines", float64(got.Partial) / float64(got.Lines), 0.1, 0.5},
	}
	for _, c := range checks {
		if c.v < c.lo || c.v > c.hi {
			t.Errorf("%s = %.3f, want in [%g, %g]", c.name, c.v, c.lo, c.hi)
		}
	}
	for _, n := range []int{got.Heads, got.NotModified, got.Recording404, got.SortedListings, got.FullGets} {
		if n == 0 {
			t.Errorf("a kind of request is missing: %+v", got)
			break
		}
	}
	if got.Lines != cfg.Lines {
		t.Errorf("lines = %d, want %d", got.Lines, cfg.Lines)
	}
}

// TestDeterministic: the same seed gives the same bytes whatever the
// number of workers; another seed gives other bytes; -scale multiplies
// the lines and keeps the index.
func TestDeterministic(t *testing.T) {
	cfg, _ := Preset("tiny", 3)
	cfg.Lines = 150_000 // more than two chunks
	gen := func(c Config) string {
		t.Helper()
		dir := t.TempDir()
		if _, err := Generate(c, dir); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	same := func(a, b, name string) bool {
		t.Helper()
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Equal(x, y)
	}
	cfg.Workers = 1
	a := gen(cfg)
	cfg.Workers = 3
	b := gen(cfg)
	for _, f := range []string{"index.csv", "access.log"} {
		if !same(a, b, f) {
			t.Errorf("%s differs between 1 and 3 workers", f)
		}
	}
	other := cfg
	other.Seed = 4
	c := gen(other)
	if same(a, c, "index.csv") || same(a, c, "access.log") {
		t.Error("seeds 3 and 4 wrote the same files")
	}
	scaled := cfg
	scaled.Lines, scaled.Scale = 20_000, 3
	d := gen(scaled)
	st, err := Generate(scaled, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines != 60_000 {
		t.Errorf("scale 3: %d lines, want 60000", st.Lines)
	}
	if !same(a, d, "index.csv") {
		t.Error("scale changed the index")
	}
}

// TestOffset compares the generator's Swedish time with the tz database.
func TestOffset(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	for u := time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC).Unix(); u < time.Date(2019, 12, 31, 0, 0, 0, 0, time.UTC).Unix(); u += 1800 {
		_, off := time.Unix(u, 0).In(loc).Zone()
		if int64(off) != offset(u) {
			t.Fatalf("offset(%s) = %d, tz database says %d", time.Unix(u, 0).UTC(), offset(u), off)
		}
	}
	var c clf
	c.day = -1
	u := time.Date(2016, 10, 30, 0, 59, 59, 0, time.UTC).Unix() // the last second of CEST
	if got, want := string(c.append(nil, u)), time.Unix(u, 0).In(loc).Format("[02/Jan/2006:15:04:05 -0700]"); got != want {
		t.Errorf("clf = %s, want %s", got, want)
	}
	if got, want := string(c.append(nil, u+1)), time.Unix(u+1, 0).In(loc).Format("[02/Jan/2006:15:04:05 -0700]"); got != want {
		t.Errorf("clf = %s, want %s", got, want)
	}
	if got, want := string(appendRFC3339(nil, u)), time.Unix(u, 0).In(loc).Format(time.RFC3339); got != want {
		t.Errorf("rfc3339 = %s, want %s", got, want)
	}
}

type indexRow struct {
	i         int
	available time.Time
}

type index struct {
	rows                      map[string]indexRow // by path
	subjects                  int
	persons, children, samord map[string]bool
}

var (
	reFolder = regexp.MustCompile(`^/recordings/(Stockholm|Sormland|Varmland)/(\d{4})/(\d\d)/(\d\d)/(STO|SRM|VRM)\d{7}_(0\d{8,9})\.(mp3|wav)$`)
	reID     = regexp.MustCompile(`^(\d\d)?(\d\d)(\d\d)(\d\d)-?(\d{3})(\d)$`)
)

// readIndex reads index.csv as a user's tool would and checks each row.
func readIndex(t *testing.T, name string) index {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",")+"\n" != indexHeader {
		t.Fatalf("header %q", recs[0])
	}
	idx := index{rows: map[string]indexRow{}, persons: map[string]bool{}, children: map[string]bool{}, samord: map[string]bool{}}
	for n, r := range recs[1:] {
		row := n + 2 // line number, for messages (never the values)
		m := reFolder.FindStringSubmatch(r[0])
		if m == nil {
			t.Fatalf("index row %d: path does not have the incident's shape", row)
		}
		start, err := time.Parse(time.RFC3339, r[2])
		if err != nil {
			t.Fatalf("index row %d: started_at: %v", row, err)
		}
		if start.Format("2006/01/02") != m[2]+"/"+m[3]+"/"+m[4] {
			t.Errorf("index row %d: folder is not the local date of started_at", row)
		}
		dur, _ := strconv.Atoi(r[3])
		size, _ := strconv.Atoi(r[4])
		if dur < 30 || size < dur*4000 {
			t.Errorf("index row %d: duration %d s, size %d bytes", row, dur, size)
		}
		if r[5] != m[1] {
			t.Errorf("index row %d: region column and folder differ", row)
		}
		// The caller's number in the name and in caller_phone are the same.
		digits := strings.NewReplacer(" ", "", "-", "").Replace(r[6])
		switch {
		case strings.HasPrefix(digits, "+46"):
			digits = "0" + digits[3:]
		case strings.HasPrefix(digits, "0046"):
			digits = "0" + digits[4:]
		}
		if digits != m[6] {
			t.Errorf("index row %d: caller_phone does not match the file name", row)
		}
		if _, dup := idx.rows[r[0]]; dup {
			t.Errorf("index row %d: path repeated", row)
		}
		idx.rows[r[0]] = indexRow{i: n, available: start.Add(time.Duration(dur) * time.Second)}
		subs := strings.Split(r[7], ";")
		if len(subs) < 1 || len(subs) > 3 || !strings.HasPrefix(subs[0], "caller:") {
			t.Errorf("index row %d: %d subjects, first not the caller", row, len(subs))
		}
		seen := map[string]bool{}
		for k, s := range subs {
			role, id, _ := strings.Cut(s, ":")
			if role != "caller" && role != "patient" && role != "other" {
				t.Errorf("index row %d subject %d: role %q", row, k, role)
			}
			canon, birth, sam, ok := canonical(id, start)
			if !ok {
				t.Errorf("index row %d subject %d: not a valid personnummer or samordningsnummer", row, k)
				continue
			}
			if seen[canon] {
				t.Errorf("index row %d: a person twice in one call", row)
			}
			seen[canon] = true
			idx.subjects++
			idx.persons[canon] = true
			if sam {
				idx.samord[canon] = true
			}
			if birth.AddDate(18, 0, 0).After(dateOf(start)) {
				idx.children[canon] = true
			}
			if birth.After(dateOf(start)) {
				t.Errorf("index row %d subject %d: born after the call", row, k)
			}
		}
	}
	return idx
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// canonical checks a number (any of the four forms) and returns its
// 12-digit form, with the century from the call's date for 10 digits.
func canonical(id string, call time.Time) (canon string, birth time.Time, samord, ok bool) {
	m := reID.FindStringSubmatch(id)
	if m == nil {
		return "", time.Time{}, false, false
	}
	nine := m[2] + m[3] + m[4] + m[5]
	sum := 0
	for i, c := range nine {
		d := int(c-'0') * (2 - i%2)
		sum += d/10 + d%10
	}
	if strconv.Itoa((10-sum%10)%10) != m[6] {
		return "", time.Time{}, false, false
	}
	yy, _ := strconv.Atoi(m[2])
	mm, _ := strconv.Atoi(m[3])
	dd, _ := strconv.Atoi(m[4])
	if dd > 60 {
		dd -= 60
		samord = true
	}
	year := 0
	if m[1] != "" {
		year, _ = strconv.Atoi(m[1] + m[2])
	} else {
		year = call.Year()/100*100 + yy
		if time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC).After(dateOf(call)) {
			year -= 100
		}
	}
	birth = time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if birth.Day() != dd || dd < 1 {
		return "", time.Time{}, false, false
	}
	return strconv.Itoa(year) + nine[2:] + m[6], birth, samord, true
}

var reLine = regexp.MustCompile(`^(\S+) - - \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "(GET|HEAD) (\S+) HTTP/1\.[01]" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$`)

// recount reads access.log with a regular expression and counts what the
// generator says it wrote.
func recount(t *testing.T, idx index, name string) Stats {
	t.Helper()
	st := Stats{
		Recordings:        len(idx.rows),
		Subjects:          idx.subjects,
		Persons:           len(idx.persons),
		Children:          len(idx.children),
		Samordningsnummer: len(idx.samord),
	}
	docs := []netip.Prefix{
		netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32"),
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	clients, uas, requested := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var last time.Time
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		st.Lines++
		st.Bytes += int64(len(sc.Bytes()) + 1)
		m := reLine.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("access.log:%d: not Apache combined", st.Lines)
		}
		ip, err := netip.ParseAddr(m[1])
		if err != nil || ip.String() != m[1] {
			t.Fatalf("access.log:%d: address not in canonical form", st.Lines)
		}
		inDocs := false
		for _, p := range docs {
			inDocs = inDocs || p.Contains(ip)
		}
		if !inDocs {
			t.Fatalf("access.log:%d: address outside the documentation ranges", st.Lines)
		}
		if !clients[m[1]] && ip.Is6() {
			st.ClientsIPv6++
		}
		clients[m[1]], uas[m[8]] = true, true
		at, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[2])
		if err != nil {
			t.Fatalf("access.log:%d: %v", st.Lines, err)
		}
		if at.Before(last) {
			t.Fatalf("access.log:%d: out of time order", st.Lines)
		}
		last = at
		method, target, status, bytesField := m[3], m[4], m[5], m[6]
		path, query, _ := strings.Cut(target, "?")
		if status == "404" {
			st.NotFound++
		}
		if method == "HEAD" {
			st.Heads++
		} else {
			switch status {
			case "304":
				st.NotModified++
			case "206":
				st.Partial++
			}
		}
		if strings.HasSuffix(path, "/") && method == "GET" && status == "200" {
			st.Listings++
			if strings.Count(path, "/") == 6 {
				st.DayListings++
			}
			if strings.HasPrefix(query, "C=") {
				st.SortedListings++
			}
			continue
		}
		row, ok := idx.rows[path]
		if !ok {
			continue
		}
		if status == "404" {
			st.Recording404++
			if !at.Before(row.available) {
				t.Errorf("access.log:%d: 404 for a recording that existed", st.Lines)
			}
			continue
		}
		st.RecordingRequests++
		requested[path] = true
		if at.Before(row.available) {
			t.Errorf("access.log:%d: recording requested before it existed", st.Lines)
		}
		if bytesField != "-" && method == "GET" {
			st.Deliveries++
			if status == "200" {
				st.FullGets++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	st.Clients, st.UserAgents, st.RecordingsRequested = len(clients), len(uas), len(requested)
	return st
}
