package actors_test

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forensiclog/forensics/internal/actors"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/google/go-cmp/cmp"
)

var prefixCmp = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func load(t *testing.T, name, content string) *actors.Directory {
	t.Helper()
	d, err := actors.Load(write(t, name, content))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const (
	googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	firefox   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0"
	nikto     = "Mozilla/5.00 (Nikto/2.1.5) (Evasions:None) (Test:map_codes)"
	nmap      = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"
	bingbot   = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
)

type query struct {
	addr, ua string
	want     exposure.KnownActor
	found    bool
}

func check(t *testing.T, d *actors.Directory, qs []query) {
	t.Helper()
	for _, q := range qs {
		var a netip.Addr
		if q.addr != "" {
			a = netip.MustParseAddr(q.addr)
		}
		got, ok := d.MatchActor(a, q.ua)
		if ok != q.found {
			t.Errorf("MatchActor(%s, %.30q) found = %v, want %v", q.addr, q.ua, ok, q.found)
		}
		if diff := cmp.Diff(q.want, got); diff != "" {
			t.Errorf("MatchActor(%s, %.30q) (-want +got):\n%s", q.addr, q.ua, diff)
		}
	}
}

// exampleQueries hold for both example fixtures.
var exampleQueries = func() []query {
	scanner := exposure.KnownActor{Label: "Responder's vulnerability scanner", Category: exposure.CategoryInternal}
	playback := exposure.KnownActor{Label: "Platform playback servers", Category: exposure.CategoryAuthorized}
	office := exposure.KnownActor{Label: "Trade paper office", Category: exposure.CategoryPress}
	google := exposure.KnownActor{Label: "Googlebot", Category: exposure.CategoryCrawler}
	bing := exposure.KnownActor{Label: "Bing", Category: exposure.CategoryCrawler}
	none := exposure.KnownActor{}
	return []query{
		{"203.0.113.5", nikto, scanner, true},
		{"203.0.113.5", nmap, scanner, true},
		{"203.0.113.5", firefox, none, false},        // both conditions needed
		{"203.0.113.6", nikto, none, false},          // both conditions needed
		{"203.0.113.5", googlebot, google, true},     // falls through to the UA entry
		{"198.51.100.10", firefox, playback, true},   // bare address
		{"198.51.100.12", firefox, none, false},      // its neighbour is not
		{"2001:db8:5::abcd", "", playback, true},     // v6 CIDR
		{"2001:db8:5:1::1", "", none, false},         // outside the /64
		{"::ffff:198.51.100.11", "", playback, true}, // mapped v4
		{"192.0.2.200", googlebot, office, true},     // first match wins over Googlebot
		{"192.0.2.100", googlebot, google, true},
		{"2001:db8:1:10::7", firefox, office, true},
		{"", googlebot, google, true}, // no address logged
		{"", firefox, none, false},
		{"192.0.2.1", strings.ToLower(googlebot), google, true}, // substring ignores case
		{"192.0.2.1", strings.ToUpper(bingbot), bing, true},     // /re/i
		{"192.0.2.1", "Mozilla/5.0 (compatible; notbingbot/2.0)", none, false},
	}
}()

func TestExampleFixtures(t *testing.T) {
	var entries [][]actors.Entry
	for _, name := range []string{"actors.example.yaml", "actors.example.csv"} {
		t.Run(name, func(t *testing.T) {
			d, err := actors.Load(filepath.Join("..", "..", "fixtures", name))
			if err != nil {
				t.Fatal(err)
			}
			check(t, d, exampleQueries)
			entries = append(entries, d.Entries())
		})
	}
	if len(entries) == 2 {
		if diff := cmp.Diff(entries[0], entries[1], prefixCmp); diff != "" {
			t.Errorf("YAML and CSV examples differ (-yaml +csv):\n%s", diff)
		}
		if n := len(entries[0]); n != 5 {
			t.Errorf("example has %d entries, want 5", n)
		}
	}
}

func TestPrecedenceAndBoth(t *testing.T) {
	d := load(t, "a.yaml", `
actors:
  - label: narrow
    category: Internal
    cidrs: 192.0.2.0/28
    user_agents: curl
  - label: wide
    category: my own
    cidrs: [192.0.2.0/24]
  - label: any curl
    user_agents: ["/^curl\\//"]
`)
	narrow := exposure.KnownActor{Label: "narrow", Category: exposure.CategoryInternal}
	wide := exposure.KnownActor{Label: "wide", Category: "my own"}
	anyCurl := exposure.KnownActor{Label: "any curl", Category: exposure.CategoryUnknown}
	check(t, d, []query{
		{"192.0.2.1", "curl/8.0", narrow, true},
		{"192.0.2.1", "Wget/1.0", wide, true},
		{"192.0.2.100", "curl/8.0", wide, true},
		{"198.51.100.1", "curl/8.0", anyCurl, true},
		{"198.51.100.1", "CURL/8.0", exposure.KnownActor{}, false}, // /re/ is case-sensitive
		{"198.51.100.1", "libcurl/8.0", exposure.KnownActor{}, false},
	})
	if d.Len() != 3 {
		t.Errorf("Len = %d, want 3", d.Len())
	}
}

func TestV6AndBareSequence(t *testing.T) {
	d := load(t, "list.yml", `
- label: v6 net
  cidrs: ["2001:db8:a::/48", "2001:db8:b::1"]
- label: Ünïcode agent
  user_agents: [ÅÄÖ-Browser]
`)
	v6 := exposure.KnownActor{Label: "v6 net", Category: exposure.CategoryUnknown}
	uni := exposure.KnownActor{Label: "Ünïcode agent", Category: exposure.CategoryUnknown}
	check(t, d, []query{
		{"2001:db8:a:ffff::1", "", v6, true},
		{"2001:db8:b::1", "", v6, true},
		{"2001:db8:b::2", "", exposure.KnownActor{}, false},
		{"192.0.2.1", "x åäö-browser/1.0", uni, true},
	})
}

func TestCSVForms(t *testing.T) {
	d := load(t, "actors.txt", "# sniffed as CSV\nlabel,cidrs\na,192.0.2.0/24\n")
	a := exposure.KnownActor{Label: "a", Category: exposure.CategoryUnknown}
	check(t, d, []query{{"192.0.2.9", "", a, true}})

	d = load(t, "x.csv", `note,user_agents,Label,cidrs
n,"Nikto
masscan",scanner,"192.0.2.1, 192.0.2.2"

,,,
`)
	s := exposure.KnownActor{Label: "scanner", Category: exposure.CategoryUnknown}
	check(t, d, []query{
		{"192.0.2.2", "masscan/1.0", s, true},
		{"192.0.2.1", nikto, s, true},
		{"192.0.2.3", nikto, exposure.KnownActor{}, false},
	})
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, file, content string
		kind                error
		entry, line         int
		secret              string // must not appear in the message
	}{
		{"yaml syntax", "a.yaml", "actors:\n  - label: [x\n", actors.ErrSyntax, 0, 0, ""},
		{"top-level key", "a.yaml", "actor:\n  - label: x\n", actors.ErrUnknownField, 0, 1, ""},
		{"not a list", "a.yaml", "actors: 4\n", actors.ErrStructure, 0, 1, ""},
		{"empty yaml", "a.yaml", "# nothing\n", actors.ErrNoEntries, 0, 0, ""},
		{"empty list", "a.yaml", "actors:\n", actors.ErrNoEntries, 0, 0, ""},
		{"entry not a mapping", "a.yaml", "actors:\n  - x\n", actors.ErrStructure, 1, 2, ""},
		{"unknown field", "a.yaml", "actors:\n  - label: a\n    cidrs: 192.0.2.1\n  - label: b\n    cidr: 192.0.2.7\n", actors.ErrUnknownField, 2, 5, "192.0.2.7"},
		{"pasted value as key", "a.yaml", "actors:\n  - label: a\n    19770101-1234: x\n", actors.ErrUnknownField, 1, 3, "19770101-1234"},
		{"duplicate field", "a.yaml", "actors:\n  - label: a\n    label: b\n    cidrs: 192.0.2.1\n", actors.ErrDuplicate, 1, 3, ""},
		{"no label", "a.yaml", "actors:\n  - cidrs: 192.0.2.1\n", actors.ErrNoLabel, 1, 2, ""},
		{"no condition", "a.yaml", "actors:\n  - label: Anna Andersson\n", actors.ErrNoCondition, 1, 2, "Anna"},
		{"bad cidr", "a.yaml", "actors:\n  - label: a\n    cidrs: [192.0.2.0/24]\n  - label: b\n    cidrs: [192.0.2.300/32]\n", actors.ErrBadCIDR, 2, 4, "192.0.2.300"},
		{"host bits", "a.yaml", "actors:\n  - label: a\n    cidrs: 192.0.2.5/24\n", actors.ErrHostBits, 1, 2, "192.0.2.5"},
		{"zone", "a.yaml", "actors:\n  - label: a\n    cidrs: fe80::1%eth0\n", actors.ErrBadCIDR, 1, 2, "eth0"},
		{"bad regex", "a.yaml", "actors:\n  - label: a\n    user_agents: ['/secret(/']\n", actors.ErrBadPattern, 1, 2, "secret"},
		{"empty pattern", "a.yaml", "actors:\n  - label: a\n    user_agents: ['  ']\n", actors.ErrBadPattern, 1, 2, ""},
		{"label is a map", "a.yaml", "actors:\n  - label: {a: b}\n    cidrs: 192.0.2.1\n", actors.ErrStructure, 1, 2, ""},
		{"csv unknown column", "a.csv", "label,cidr\nx,192.0.2.1\n", actors.ErrUnknownField, 0, 1, ""},
		{"csv no label column", "a.csv", "cidrs\n192.0.2.1\n", actors.ErrStructure, 0, 1, ""},
		{"csv duplicate column", "a.csv", "label,cidrs,cidrs\n", actors.ErrDuplicate, 0, 1, ""},
		{"csv quote", "a.csv", "label,cidrs\nx,\"192.0.2.1\n", actors.ErrSyntax, 1, 0, "192.0.2.1"},
		{"csv bare quote", "a.csv", "# c\nlabel,cidrs\nx,19\"2.0.2.1\n", actors.ErrSyntax, 1, 3, "19"},
		{"csv extra cells", "a.csv", "label,cidrs\nx,192.0.2.1,y\n", actors.ErrStructure, 1, 2, ""},
		{"csv bad cidr", "a.csv", "label,cidrs\nx,192.0.2.1\ny,192.0.2.1 2001:db8::zz\n", actors.ErrBadCIDR, 2, 3, "zz"},
		{"csv header only", "a.csv", "label,cidrs\n", actors.ErrNoEntries, 0, 0, ""},
		{"csv empty", "a.csv", "", actors.ErrNoEntries, 0, 0, ""},
		{"unknown format", "a.txt", "just some text\n", actors.ErrFormat, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, tc.file, tc.content)
			_, err := actors.Load(path)
			var ae *actors.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T), want *actors.Error", err, err)
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %q, want kind %q", err, tc.kind)
			}
			if ae.Entry != tc.entry || (tc.line != 0 && ae.Line != tc.line) {
				t.Errorf("error %q at entry %d line %d, want entry %d line %d", err, ae.Entry, ae.Line, tc.entry, tc.line)
			}
			// The message names the file (a temporary path with random
			// digits): what must not hold the value is the rest of it.
			if msg := strings.ReplaceAll(err.Error(), path, "FILE"); !strings.Contains(msg, "FILE") {
				t.Errorf("error %q does not name the file", err)
			} else if tc.secret != "" && strings.Contains(msg, tc.secret) {
				t.Errorf("error %q repeats a value from the file", err)
			}
		})
	}
	if _, err := actors.Load(filepath.Join(t.TempDir(), "absent.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestErrorString(t *testing.T) {
	e := &actors.Error{Path: "actors.yaml", Entry: 3, Line: 12, Err: actors.ErrBadCIDR}
	if got, want := e.Error(), "actors: actors.yaml: entry 3 (line 12): bad CIDR prefix or address"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func BenchmarkMatchActor(b *testing.B) {
	d, err := actors.Load(filepath.Join("..", "..", "fixtures", "actors.example.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	a := netip.MustParseAddr("2001:db8:ffff::1")
	b.ReportAllocs()
	for b.Loop() {
		d.MatchActor(a, firefox) // no match: every entry is tried
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"actors.example.yaml", "actors.example.csv"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, strings.HasSuffix(name, ".csv"))
	}
	f.Add([]byte("actors:\n  - label: a\n    cidrs: *x\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		var d *actors.Directory
		var err error
		if csv {
			d, err = actors.ParseCSV(strings.NewReader(string(data)), "f.csv")
		} else {
			d, err = actors.ParseYAML(data, "f.yaml")
		}
		if err != nil {
			var ae *actors.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T) is not *actors.Error", err, err)
			}
			return
		}
		if d.Len() == 0 {
			t.Fatal("no error and no entries")
		}
		d.MatchActor(netip.MustParseAddr("192.0.2.1"), "x")
	})
}

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "actors")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "actors.yaml")
	os.WriteFile(path, []byte(`actors:
  - label: Platform playback servers
    category: authorized
    cidrs: [198.51.100.10, 2001:db8:5::/64]
  - label: Googlebot
    category: crawler
    user_agents: [Googlebot]
`), 0o644)

	d, err := actors.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.MatchActor(netip.MustParseAddr("198.51.100.10"), "VLC/3.0.18"))
	fmt.Println(d.MatchActor(netip.MustParseAddr("192.0.2.1"), "Mozilla/5.0 (compatible; Googlebot/2.1)"))
	fmt.Println(d.MatchActor(netip.MustParseAddr("192.0.2.1"), "curl/8.0"))
	// Output:
	// {Platform playback servers authorized} true
	// {Googlebot crawler} true
	// { } false
}
