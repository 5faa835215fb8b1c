package exposure

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseListingView(t *testing.T) {
	f := func(q string, want ListingView) {
		t.Helper()
		if diff := cmp.Diff(want, ParseListingView(q)); diff != "" {
			t.Errorf("%q: (-want +got):\n%s", q, diff)
		}
	}
	// Apache mod_autoindex.
	f("", ListingView{})
	f("C=N;O=D", ListingView{Column: 'N', Direction: 'D'})
	f("C=M&O=A&F=2&V=1", ListingView{Column: 'M', Direction: 'A', Format: '2', Version: '1'})
	f("P=*.wav", ListingView{Pattern: "*.wav"})
	f("P=%2A.wav;C=S", ListingView{Pattern: "*.wav", Column: 'S'})
	f("C=S;P=*.wav", ListingView{Pattern: "*.wav", Column: 'S'})
	f("P=a+b?", ListingView{Pattern: "a+b?"}) // '+' is not a space here
	f("P=*.wav&P=", ListingView{})            // the last P= wins, empty: none
	f("P=%2Fetc", ListingView{})              // an escaped slash: ignored
	f("P=%zz", ListingView{})                 // a bad escape: ignored
	f("P=%4", ListingView{})                  // a cut escape: ignored
	f("foo=1&P=*.wav", ListingView{})         // Apache stops at what it does not know
	f("C=X;P=*.wav", ListingView{})
	f("C=NO=D", ListingView{})
	f("C=N;xyz", ListingView{Column: 'N'})
	// Caddy.
	f("limit=3", ListingView{Limit: 3})
	f("sort=size&order=desc&limit=3&offset=2", ListingView{Sort: "size", Order: "desc", Limit: 3, Offset: 2})
	f("limit=-1&offset=x", ListingView{})
	f("limit=3;x=1", ListingView{}) // Go drops a pair holding ';'
	f("limit=3&limit=5", ListingView{Limit: 3})
	f("sort=%6Eame", ListingView{Sort: "name"})
	// Both readings of one query.
	f("P=*.wav&limit=2", ListingView{Pattern: "*.wav", Limit: 2})
	f("limit=2&P=*.wav", ListingView{Limit: 2})
}

func TestFnmatch(t *testing.T) {
	f := func(pattern, name string, caseBlind, want bool) {
		t.Helper()
		if got := fnmatch(pattern, name, caseBlind); got != want {
			t.Errorf("fnmatch(%q, %q, %v) = %v, want %v", pattern, name, caseBlind, got, want)
		}
	}
	// Success.
	f("*.wav", "a.wav", false, true)
	f("*", "anything", false, true)
	f("*", "", false, true)
	f("c*_0701*.mp3", "c12_070174.mp3", false, true)
	f("?.wav", "a.wav", false, true)
	f("[abc].wav", "b.wav", false, true)
	f("[a-c]*", "c1", false, true)
	f("[!a]*", "b", false, true)
	f("[^a]*", "b", false, true)
	f("[]]x", "]x", false, true)
	f("[x", "[x", false, true) // unclosed: literal
	f(`a\b`, `a\b`, false, true)
	f("*.WAV", "a.wav", true, true)
	f("[A-C].wav", "b.wav", true, true)
	f(".*", ".hidden", false, true)
	f("**a", "xya", false, true)
	f("*a*b*c", "zzazzbzzc", false, true)
	// Failure.
	f("*.wav", "a.mp3", false, false)
	f("*.WAV", "a.wav", false, false)
	f("?.wav", "ab.wav", false, false)
	f("?", "", false, false)
	f("[!a]*", "a", false, false)
	f("[a-c]", "d", false, false)
	f("*", ".hidden", false, false) // a leading period needs a literal one
	f("?hidden", ".hidden", false, false)
	f("[.]hidden", ".hidden", false, false)
	f("a*b", "a", false, false)
	f("abc", "ab", false, false)
	f("ab", "abc", false, false)
	f("*a*b*c", "zzazzczzb", false, false)
}

var lvT0 = time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC)

// lvEntries: a subfolder, a hidden file and four recordings of sizes and
// times in different orders.
func lvEntries() []ListingEntry {
	return []ListingEntry{
		{Name: "sub", Dir: true, Size: 4096},
		{Name: "a.wav", Size: 300, ModTime: lvT0.Add(3 * time.Hour)},
		{Name: "B.mp3", Size: 200, ModTime: lvT0.Add(1 * time.Hour)},
		{Name: "c.wav", Size: 100, ModTime: lvT0.Add(4 * time.Hour)},
		{Name: "d.mp3", Size: 400, ModTime: lvT0.Add(2 * time.Hour)},
		{Name: ".hidden.wav", Size: 50, ModTime: lvT0},
	}
}

// visString writes a Visible result as "name=vis" pairs.
func visString(entries []ListingEntry, vis []Visibility) string {
	var b []string
	for i, e := range entries {
		b = append(b, e.Name+"="+vis[i].String())
	}
	return strings.Join(b, " ")
}

func TestListingViewVisible(t *testing.T) {
	entries := lvEntries()
	f := func(name string, v ListingView, complete bool, want string) {
		t.Helper()
		got := visString(entries, v.Visible(entries, complete, nil))
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	all := "sub=shown a.wav=shown B.mp3=shown c.wav=shown d.mp3=shown .hidden.wav=shown"
	wav := ParseListingView("P=*.wav")

	// Apache's filter.
	v := wav
	v.Server = ListingServerApache
	f("apache P=*.wav", v, true, "sub=hidden a.wav=shown B.mp3=hidden c.wav=shown d.mp3=hidden .hidden.wav=hidden")
	f("apache P=*.wav, entries maybe incomplete", v, false, "sub=hidden a.wav=shown B.mp3=hidden c.wav=shown d.mp3=hidden .hidden.wav=hidden")
	v = ParseListingView("C=S;O=D;P=*.MP3")
	v.Server, v.CaseBlind = ListingServerApache, true
	f("apache case-blind", v, true, "sub=hidden a.wav=hidden B.mp3=shown c.wav=hidden d.mp3=shown .hidden.wav=hidden")
	v = ParseListingView("C=S;O=D")
	v.Server = ListingServerApache
	f("apache sort only", v, true, all)
	v = ParseListingView("limit=1")
	v.Server = ListingServerApache
	f("apache ignores Caddy's limit", v, true, all)

	// Plain servers ignore every query.
	v = wav
	v.Server = ListingServerPlain
	f("nginx P=*.wav", v, true, all)

	// Unknown server: what one server hides another may show.
	f("unknown P=*.wav", wav, true, "sub=maybe_shown a.wav=shown B.mp3=maybe_shown c.wav=shown d.mp3=maybe_shown .hidden.wav=maybe_shown")
	f("unknown, no query", ListingView{}, true, all)

	// Caddy: explicit sort and order, a page of two.
	caddy := func(q string) ListingView {
		v := ParseListingView(q)
		v.Server = ListingServerCaddy
		return v
	}
	// Names lower-cased, folders with '/': .hidden.wav a.wav b.mp3 c.wav d.mp3 sub/
	f("caddy name asc limit 2", caddy("sort=name&order=asc&limit=2"), true,
		"sub=hidden a.wav=shown B.mp3=hidden c.wav=hidden d.mp3=hidden .hidden.wav=shown")
	f("caddy name desc offset 1 limit 2", caddy("sort=name&order=desc&offset=1&limit=2"), true,
		"sub=hidden a.wav=hidden B.mp3=hidden c.wav=shown d.mp3=shown .hidden.wav=hidden")
	f("caddy namedirfirst limit 2", caddy("sort=namedirfirst&order=asc&limit=2"), true,
		"sub=shown a.wav=hidden B.mp3=hidden c.wav=hidden d.mp3=hidden .hidden.wav=shown")
	// Size: folders first, then 50 100 200 300 400.
	f("caddy size asc limit 3", caddy("sort=size&order=asc&limit=3"), true,
		"sub=shown a.wav=hidden B.mp3=hidden c.wav=shown d.mp3=hidden .hidden.wav=shown")
	f("caddy size desc limit 2", caddy("sort=size&order=desc&limit=2"), true,
		"sub=hidden a.wav=shown B.mp3=hidden c.wav=hidden d.mp3=shown .hidden.wav=hidden")
	f("caddy offset only", caddy("sort=size&order=asc&offset=4"), true,
		"sub=hidden a.wav=shown B.mp3=hidden c.wav=hidden d.mp3=shown .hidden.wav=hidden")
	f("caddy offset past the end is ignored", caddy("sort=name&order=asc&offset=7&limit=9"), true, all)
	f("caddy limit past the end is ignored", caddy("sort=name&limit=6"), true, all)
	f("caddy sort without a page", caddy("sort=time&order=desc"), true, all)
	// A time is unknown (the folder's): the time order is unknown.
	f("caddy time with a folder", caddy("sort=time&order=asc&limit=2"), true,
		"sub=maybe_shown a.wav=maybe_shown B.mp3=maybe_shown c.wav=maybe_shown d.mp3=maybe_shown .hidden.wav=maybe_shown")
	f("caddy unknown sort name: no sorting", caddy("sort=bogus&limit=2"), true,
		"sub=maybe_shown a.wav=maybe_shown B.mp3=maybe_shown c.wav=maybe_shown d.mp3=maybe_shown .hidden.wav=maybe_shown")
	// The order is left to a cookie: asc and desc must agree.
	f("caddy order by cookie", caddy("sort=name&limit=3"), true,
		"sub=maybe_shown a.wav=maybe_shown B.mp3=maybe_shown c.wav=maybe_shown d.mp3=maybe_shown .hidden.wav=maybe_shown")
	// Sort and order by cookie: a time sort is possible and the
	// folder's time is unknown.
	f("caddy sort by cookie, limit 5", caddy("limit=5"), true,
		"sub=maybe_shown a.wav=maybe_shown B.mp3=maybe_shown c.wav=maybe_shown d.mp3=maybe_shown .hidden.wav=maybe_shown")
	// Files only, a page of 4 of 5: the entries no order puts last are
	// surely shown (name: d, .hidden; size: d, .hidden; time: c, .hidden).
	files := entries[1:]
	got := visString(files, caddy("limit=4").Visible(files, true, nil))
	if want := "a.wav=shown B.mp3=shown c.wav=maybe_shown d.mp3=maybe_shown .hidden.wav=maybe_shown"; got != want {
		t.Errorf("caddy sort by cookie, files only:\n got %s\nwant %s", got, want)
	}
	// The caller knows only some entries: the page cannot be placed.
	f("caddy, entries maybe incomplete", caddy("sort=name&order=asc&offset=1&limit=2"), false,
		"sub=hidden a.wav=maybe_shown B.mp3=maybe_shown c.wav=hidden d.mp3=hidden .hidden.wav=maybe_shown")
	f("unknown server, caddy page", ParseListingView("sort=name&order=asc&limit=2"), true,
		"sub=maybe_shown a.wav=shown B.mp3=maybe_shown c.wav=maybe_shown d.mp3=maybe_shown .hidden.wav=shown")

	// Ties at the page's edge: Caddy's sort is not stable.
	ties := []ListingEntry{{Name: "x", Size: 10}, {Name: "y", Size: 20}, {Name: "z", Size: 20}, {Name: "w", Size: 30}}
	got = visString(ties, caddy("sort=size&order=asc&limit=2").Visible(ties, true, nil))
	if want := "x=shown y=maybe_shown z=maybe_shown w=hidden"; got != want {
		t.Errorf("ties:\n got %s\nwant %s", got, want)
	}
	// An unknown size.
	unk := []ListingEntry{{Name: "x", Size: 10}, {Name: "y", Size: -1}}
	got = visString(unk, caddy("sort=size&order=asc&limit=1").Visible(unk, true, nil))
	if want := "x=maybe_shown y=maybe_shown"; got != want {
		t.Errorf("unknown size:\n got %s\nwant %s", got, want)
	}
}

func TestListingViewCaddyCap(t *testing.T) {
	big := make([]ListingEntry, caddyDirLimit+1)
	for i := range big {
		big[i] = ListingEntry{Name: fmt.Sprintf("r%05d.wav", i), Size: 1}
	}
	v := ListingView{Server: ListingServerCaddy}
	if v.Whole(len(big)) {
		t.Error("Caddy shows a folder of more than 10,000 entries whole")
	}
	for i, vis := range v.Visible(big, true, nil) {
		if vis != MaybeShown {
			t.Fatalf("entry %d: %v, want maybe_shown", i, vis)
		}
	}
	v.Server = ListingServerUnknown
	if !v.Whole(len(big)) {
		t.Error("the cap applies to Caddy only")
	}
}

func TestListingViewWhole(t *testing.T) {
	f := func(q string, server ListingServer, n int, want bool) {
		t.Helper()
		v := ParseListingView(q)
		v.Server = server
		if got := v.Whole(n); got != want {
			t.Errorf("%q on server %d, %d entries: Whole %v, want %v", q, server, n, got, want)
		}
		if want {
			entries := make([]ListingEntry, n)
			for i := range entries {
				entries[i] = ListingEntry{Name: strconv.Itoa(i), Size: int64(i)}
			}
			for i, vis := range v.Visible(entries, true, nil) {
				if vis != Shown {
					t.Errorf("%q: Whole, but entry %d is %v", q, i, vis)
				}
			}
		}
	}
	f("", ListingServerUnknown, 5, true)
	f("C=N;O=D", ListingServerUnknown, 5, true)
	f("P=*.wav", ListingServerUnknown, 5, false)
	f("P=*.wav", ListingServerApache, 5, false)
	f("P=*.wav", ListingServerPlain, 5, true)
	f("P=*.wav", ListingServerCaddy, 5, true)
	f("limit=3", ListingServerCaddy, 5, false)
	f("limit=3", ListingServerCaddy, 3, true)
	f("limit=3", ListingServerApache, 5, true)
	f("limit=3", ListingServerUnknown, 5, false)
	f("offset=9", ListingServerCaddy, 5, true)
}

// caddyReference is Caddy 2.6's applySortAndLimit, written again from its
// description: sort.Sort with the sort's Less (sort.Reverse for desc),
// then offset, then limit. It returns the names shown.
func caddyReference(entries []ListingEntry, sortBy, order string, offset, limit int) map[string]bool {
	items := append([]ListingEntry(nil), entries...)
	name := func(e ListingEntry) string {
		if e.Dir {
			return strings.ToLower(e.Name + "/")
		}
		return strings.ToLower(e.Name)
	}
	less := func(i, j int) bool {
		a, b := items[i], items[j]
		switch sortBy {
		case "name":
			return name(a) < name(b)
		case "namedirfirst":
			if a.Dir == b.Dir {
				return name(a) < name(b)
			}
			return a.Dir
		case "size":
			as, bs := a.Size, b.Size
			if a.Dir {
				as = -1 << 31
			}
			if b.Dir {
				bs = -1 << 31
			}
			if a.Dir && b.Dir {
				return name(a) < name(b)
			}
			return as < bs
		}
		return a.ModTime.Before(b.ModTime)
	}
	if order == "desc" {
		sort.Slice(items, func(i, j int) bool { return less(j, i) })
	} else {
		sort.Slice(items, less)
	}
	if offset > 0 && offset <= len(items) {
		items = items[offset:]
	}
	if limit > 0 && limit <= len(items) {
		items = items[:limit]
	}
	out := map[string]bool{}
	for _, e := range items {
		out[e.Name] = true
	}
	return out
}

// TestListingViewCaddyReference compares Visible with the reference on
// random folders with many ties, in random input orders (the reference's
// sort is unstable too): a Shown entry must be on the page, a Hidden one
// must not.
func TestListingViewCaddyReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sorts := []string{"name", "namedirfirst", "size", "time"}
	for trial := range 400 {
		n := 1 + rng.IntN(12)
		entries := make([]ListingEntry, n)
		for i := range entries {
			entries[i] = ListingEntry{Name: fmt.Sprintf("%c%d", 'a'+rng.IntN(3), i), Size: int64(rng.IntN(4)),
				ModTime: lvT0.Add(time.Duration(rng.IntN(4)) * time.Minute)}
			if rng.IntN(5) == 0 && sorts[trial%4] != "time" {
				entries[i].Dir = true
			}
		}
		sortBy, order := sorts[trial%4], []string{"asc", "desc"}[rng.IntN(2)]
		offset, limit := rng.IntN(n+2), rng.IntN(n+2)
		v := ListingView{Server: ListingServerCaddy, Sort: sortBy, Order: order, Offset: offset, Limit: limit}
		vis := v.Visible(entries, true, nil)
		for range 8 {
			rng.Shuffle(n, func(i, j int) { entries[i], entries[j], vis[i], vis[j] = entries[j], entries[i], vis[j], vis[i] })
			page := caddyReference(entries, sortBy, order, offset, limit)
			for i, e := range entries {
				if vis[i] == Shown && !page[e.Name] || vis[i] == Hidden && page[e.Name] {
					t.Fatalf("trial %d (%s %s offset %d limit %d): %s is %v, on the page: %v",
						trial, sortBy, order, offset, limit, e.Name, vis[i], page[e.Name])
				}
			}
		}
	}
}
