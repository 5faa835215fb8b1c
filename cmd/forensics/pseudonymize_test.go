package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// Test keys: fixed, so that failures reproduce. Never use them for real.
var (
	testKeyA = []byte("test-key-A-0123456789abcdefghijklmnopqrstuv")
	testKeyB = []byte("test-key-B-0123456789abcdefghijklmnopqrstuv")
)

// refPseudonym is the scheme as documented, written out independently
// of the code under test: prefix + 20 lowercase base32 characters of
// HMAC-SHA256(key, domain+value).
func refPseudonym(key []byte, prefix, domain, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(domain + value))
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil))
	return prefix + strings.ToLower(enc[:20])
}

func refSubject(key []byte, id string) string { return refPseudonym(key, "p_", "subject:", id) }
func refPhone(key []byte, e164 string) string { return refPseudonym(key, "t_", "phone:", e164) }

// genPNR returns a valid 12-digit personnummer for a birth date and a
// serial (three digits), with its Luhn check digit.
func genPNR(date string, serial int) string {
	s := date + string(rune('0'+serial/100%10)) + string(rune('0'+serial/10%10)) + string(rune('0'+serial%10))
	sum := 0
	for i, c := range s[2:] {
		p := int(c - '0')
		if i%2 == 0 {
			if p *= 2; p > 9 {
				p -= 9
			}
		}
		sum += p
	}
	return s + string(rune('0'+(10-sum%10)%10))
}

func writeKey(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
	return p
}

func TestLoadPseudonymKey(t *testing.T) {
	b64 := "q0p9yB3n6oXc1m8bNfW2vZtH4sL7kJ0aRgE5uYiT1dA=" // 44 bytes, like base64 of 32 random bytes
	ok := func(name, content, want string) {
		t.Helper()
		key, err := loadPseudonymKey(writeKey(t, content, 0o600))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if diff := cmp.Diff(want, string(key)); diff != "" {
			t.Errorf("%s: key (-want +got):\n%s", name, diff)
		}
	}
	ok("base64 with newline", b64+"\n", b64)
	ok("base64 without newline", b64, b64)
	ok("CRLF", b64+"\r\n", b64)
	ok("exactly 32 bytes", strings.Repeat("k", 31)+"x\n", strings.Repeat("k", 31)+"x")
	ok("only one newline trimmed", b64+"\n\n", b64+"\n")
	ok("binary", string([]byte{0, 1, 2, 0xff, 0xfe})+strings.Repeat("\x10", 40), string([]byte{0, 1, 2, 0xff, 0xfe})+strings.Repeat("\x10", 40))

	// The secret part of each failing key: it must not appear in errors.
	const secret = "s3cr3tK3y"
	fail := func(name, path, wantIn string) {
		t.Helper()
		key, err := loadPseudonymKey(path)
		if err == nil {
			t.Errorf("%s: want an error, got a %d-byte key", name, len(key))
			return
		}
		if !strings.Contains(err.Error(), wantIn) {
			t.Errorf("%s: error %q does not say %q", name, err, wantIn)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error shows the key", name)
		}
	}
	fail("31 bytes", writeKey(t, secret+strings.Repeat("x", 31-len(secret))+"\n", 0o600), "31 bytes, need at least 32")
	fail("empty", writeKey(t, "", 0o600), "0 bytes")
	fail("newline only", writeKey(t, "\n", 0o600), "0 bytes")
	fail("too long", writeKey(t, secret+strings.Repeat("x", 2000), 0o600), "not a key file")
	fail("missing", filepath.Join(t.TempDir(), "nokey"), "no such file")
	fail("directory", t.TempDir(), "not a regular file")
	if runtime.GOOS != "windows" {
		fail("world-readable", writeKey(t, secret+b64, 0o644), "chmod 600")
		fail("group-readable", writeKey(t, secret+b64, 0o640), "mode 0640")
		fail("group-writable", writeKey(t, secret+b64, 0o620), "group or others")
	}
}

func TestPseudonymKeyID(t *testing.T) {
	a, b := pseudonymKeyID(testKeyA), pseudonymKeyID(testKeyB)
	if len(a) != 8 || a == b || a != pseudonymKeyID(testKeyA) {
		t.Errorf("key IDs %q, %q: want 8 characters, stable, different per key", a, b)
	}
	if strings.Contains(a, string(testKeyA[:4])) {
		t.Errorf("key ID %q shows the key", a)
	}
}

func TestScrub(t *testing.T) {
	key := testKeyA
	const caller = "+46701740665"
	tc := refPhone(key, caller)
	tOther := refPhone(key, "+46701740610")
	child := genPNR("20061219", 918) // 12 digits
	adult := genPNR("19741123", 705) // 12 digits
	coord := genPNR("19450591", 123) // samordningsnummer: day 31 + 60
	callDay := time.Date(2019, 2, 1, 3, 0, 0, 0, time.UTC)

	ok := func(in, callerPhone string, ref time.Time, want string, wantShort bool) {
		t.Helper()
		got, short := newPseudonymizer(key).scrub(in, exposure.Phone(callerPhone), ref)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("scrub(%q) (-want +got):\n%s", in, diff)
		}
		if short != wantShort {
			t.Errorf("scrub(%q): short = %v, want %v", in, short, wantShort)
		}
	}
	// The caller's phone in every usual form.
	ok("/recordings/Stockholm/2019/02/01/STO1_0701740665.mp3", caller, time.Time{},
		"/recordings/Stockholm/2019/02/01/STO1_"+tc+".mp3", false)
	ok("/r/STO1_46701740665.mp3", caller, time.Time{}, "/r/STO1_"+tc+".mp3", false)
	ok("/r/STO1_0046701740665.mp3", caller, time.Time{}, "/r/STO1_"+tc+".mp3", false)
	ok("/r/STO1_+46701740665.mp3", caller, time.Time{}, "/r/STO1_"+tc+".mp3", false)
	ok("/r/STO1_701740665.mp3", caller, time.Time{}, "/r/STO1_"+tc+".mp3", false)
	// In a folder name too, and twice.
	ok("/r/0701740665/0701740665_1.wav", caller, time.Time{}, "/r/"+tc+"/"+tc+"_1.wav", false)
	// Dates, times and call IDs stay.
	ok("/r/2019/02/01/20190201-0930_0701740665.wav", caller, time.Time{},
		"/r/2019/02/01/20190201-0930_"+tc+".wav", false)
	ok("STO100001", caller, time.Time{}, "STO100001", false)
	ok("/r/STO100001_0701740665.mp3", "", time.Time{}, "/r/STO100001_"+tc+".mp3", false)
	// The file name's phone differs from the index's caller: both go.
	ok("/r/0701740610/STO1_0701740665.mp3", "+46701740610", time.Time{},
		"/r/"+tOther+"/STO1_"+tc+".mp3", false)
	// A caller kept as given (not valid): its digits, when long enough.
	ok("/r/X_0123456.mp3", "0123456", time.Time{}, "/r/X_"+refPhone(key, "0123456")+".mp3", false)
	ok("/r/X_0930.mp3", "0930", time.Time{}, "/r/X_0930.mp3", false)
	// Identity numbers: 12 digits; 10 digits with the call date giving
	// the century (so equal to the subject's pseudonym); with a dash.
	ok("/r/x_"+adult+".mp3", caller, time.Time{}, "/r/x_"+refSubject(key, adult)+".mp3", false)
	ok("/r/x_"+child[2:]+".mp3", caller, callDay, "/r/x_"+refSubject(key, child)+".mp3", true)
	ok("/r/x_"+child[2:8]+"-"+child[8:]+".mp3", caller, callDay, "/r/x_"+refSubject(key, child)+".mp3", true)
	ok("/r/x_"+adult[:8]+"-"+adult[8:]+"_2.mp3", caller, time.Time{}, "/r/x_"+refSubject(key, adult)+"_2.mp3", false)
	ok("/r/x_"+coord+".mp3", caller, time.Time{}, "/r/x_"+refSubject(key, coord)+".mp3", false)
	// Without a date, a 10-digit number keeps its written form's pseudonym.
	ok("/r/x_"+child[2:]+".mp3", caller, time.Time{}, "/r/x_"+refSubject(key, child[2:])+".mp3", true)
	// A 12-digit run with a bad check digit is no identity number.
	bad := adult[:11] + string(rune('0'+(adult[11]-'0'+1)%10))
	ok("/r/x_"+bad+".mp3", caller, time.Time{}, "/r/x_"+bad+".mp3", false)
	ok("", caller, time.Time{}, "", false)
}

// TestPseudonymizeDatedPath: a 10-digit identity number in a path gets
// its century from the recording's date, which the exposure rows carry
// too, so they get the same path; the result equals the subject's
// pseudonym.
func TestPseudonymizeDatedPath(t *testing.T) {
	child := genPNR("20061219", 918)
	caller := "+46701740665"
	path := "/r/2019/02/01/STO1_0701740665_" + child[2:] + ".mp3"
	callID := "STO1-" + child[2:]
	started := time.Date(2019, 2, 1, 3, 0, 0, 0, time.UTC)
	res := &exposure.Result{
		Exposures: []exposure.ExposureRow{
			{SubjectID: exposure.IdentityNumber(child), Role: "patient", CallID: callID, Path: path, CallerPhone: exposure.Phone(caller), StartedAt: started, ActorIP: "192.0.2.1"},
			{SubjectID: exposure.IdentityNumber(child), Role: "patient", CallID: callID, Path: path, CallerPhone: exposure.Phone(caller), StartedAt: started, ActorIP: "192.0.2.2"},
		},
		Persons:    []exposure.PersonRow{{SubjectID: exposure.IdentityNumber(child), Phones: []exposure.Phone{}}},
		Recordings: []exposure.RecordingRow{{Path: path, CallID: callID, CallerPhone: exposure.Phone(caller), StartedAt: started}},
	}
	pseudonymize(res, testKeyA)
	ps, tc := refSubject(testKeyA, child), refPhone(testKeyA, caller)
	want := &exposure.Result{
		Exposures: []exposure.ExposureRow{
			{SubjectID: exposure.IdentityNumber(ps), Role: "patient", CallID: "STO1-" + ps, Path: "/r/2019/02/01/STO1_" + tc + "_" + ps + ".mp3", CallerPhone: exposure.Phone(tc), StartedAt: started, ActorIP: "192.0.2.1"},
			{SubjectID: exposure.IdentityNumber(ps), Role: "patient", CallID: "STO1-" + ps, Path: "/r/2019/02/01/STO1_" + tc + "_" + ps + ".mp3", CallerPhone: exposure.Phone(tc), StartedAt: started, ActorIP: "192.0.2.2"},
		},
		Persons:    []exposure.PersonRow{{SubjectID: exposure.IdentityNumber(ps), Phones: []exposure.Phone{}}},
		Recordings: []exposure.RecordingRow{{Path: "/r/2019/02/01/STO1_" + tc + "_" + ps + ".mp3", CallID: "STO1-" + ps, CallerPhone: exposure.Phone(tc), StartedAt: started}},
	}
	if diff := cmp.Diff(want, res, cmp.AllowUnexported(exposure.Coverage{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// demoResult runs the engine on the demo incident through the public
// API, without GeoIP or known actors.
func demoResult(tb testing.TB) (*exposure.Result, string) {
	tb.Helper()
	demo := filepath.Join("..", "..", "fixtures", "demo")
	index := filepath.Join(demo, "index.csv")
	if _, err := os.Stat(index); err != nil {
		tb.Skipf("demo incident not found: %v", err)
	}
	ix, err := exposure.LoadIndex(index, exposure.IndexOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	eng := exposure.NewEngine(ix, exposure.Options{})
	shard := eng.NewShard()
	inputs, err := logparse.ExpandInputs([]string{filepath.Join(demo, "logs")})
	if err != nil {
		tb.Fatal(err)
	}
	for _, in := range inputs {
		r, err := logparse.OpenInput(in, nil) // decompressed, format detected
		if err != nil {
			tb.Fatalf("%s: %v", in.Name, err)
		}
		for rec, err := range r.All() {
			if err == nil {
				shard.Observe(rec)
			}
		}
		if err := r.Err(); err != nil {
			tb.Fatal(err)
		}
		r.Close()
	}
	res, err := eng.Collect(shard)
	if err != nil {
		tb.Fatal(err)
	}
	return res, index
}

// cloneResult copies the parts of a Result that pseudonymize changes.
func cloneResult(r *exposure.Result) *exposure.Result {
	c := *r
	c.Exposures = slices.Clone(r.Exposures)
	c.Recordings = slices.Clone(r.Recordings)
	c.Persons = slices.Clone(r.Persons)
	for i := range c.Persons {
		c.Persons[i].Phones = slices.Clone(c.Persons[i].Phones)
	}
	return &c
}

// indexSecrets returns the identity and phone numbers of an index CSV in
// the forms they may take: as written, digits only, and for phones the
// national, 46- and 0046-forms.
func indexSecrets(t *testing.T, index string) []string {
	t.Helper()
	f, err := os.Open(index)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	digitsOf := func(s string) string {
		return strings.Map(func(r rune) rune {
			if '0' <= r && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	var out []string
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, row := range rows[1:] {
		if ph := row[col["caller_phone"]]; ph != "" {
			e, ok := exposure.NormalizePhone(ph)
			if !ok {
				t.Fatalf("index phone not valid: the test expects valid demo phones")
			}
			nat := strings.TrimPrefix(e, "+46")
			out = append(out, ph, e, digitsOf(e), "0"+nat, "00"+digitsOf(e), nat)
		}
		if p, ok := exposure.PhoneFromFileName(row[col["path"]]); ok {
			nat := strings.TrimPrefix(p, "+46")
			out = append(out, p, "0"+nat, nat)
		}
		for _, s := range strings.Split(row[col["subjects"]], ";") {
			_, id, _ := strings.Cut(s, ":")
			out = append(out, id)
			if d := digitsOf(id); len(d) >= 10 {
				out = append(out, d, d[len(d)-10:])
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// allStrings returns every string reachable from v: fields (exported or
// not), slices, arrays, maps (keys and values) and pointers.
func allStrings(v any) []string {
	var out []string
	var walk func(reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			out = append(out, v.String())
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				return
			}
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			it := v.MapRange()
			for it.Next() {
				walk(it.Key())
				walk(it.Value())
			}
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		}
	}
	walk(reflect.ValueOf(v))
	return out
}

// leaks returns a description of every secret or long digit run found in
// the strings, without the secret itself.
func leaks(strs, secrets []string) []string {
	long := regexp.MustCompile(`\d{10,}`)
	var out []string
	for _, s := range strs {
		if long.MatchString(s) {
			out = append(out, "a string with a run of 10 or more digits")
		}
		for i, sec := range secrets {
			if sec != "" && strings.Contains(s, sec) {
				out = append(out, "secret #"+strconv.Itoa(i))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestPseudonymizeDemo checks the whole scheme on the demo incident:
// nothing of the input's numbers remains, runs are deterministic, keys
// are unlinkable, and the outputs still join.
func TestPseudonymizeDemo(t *testing.T) {
	orig, index := demoResult(t)
	secrets := indexSecrets(t, index)
	if len(orig.Exposures) == 0 || len(orig.Persons) == 0 || len(orig.Recordings) == 0 {
		t.Fatalf("demo result too small to test: %d exposures, %d persons, %d recordings",
			len(orig.Exposures), len(orig.Persons), len(orig.Recordings))
	}
	// The scan must see the secrets before pseudonymization, or it
	// proves nothing after.
	if len(leaks(allStrings(orig), secrets)) == 0 {
		t.Fatal("no secret found in the plain result: the leak scan is broken")
	}

	a := cloneResult(orig)
	pseudonymize(a, testKeyA)

	t.Run("no numbers remain", func(t *testing.T) {
		// The parts one by one for clear messages, then the whole Result
		// (unexported fields and parts added later included).
		for _, part := range []any{a.Exposures, a.Persons, a.Recordings, a.Actors, a.Coverage.Rows(), a.Summary, a} {
			if l := leaks(allStrings(part), secrets); len(l) > 0 {
				t.Errorf("%T: %d leaks, first: %v", part, len(l), l[:min(5, len(l))])
			}
		}
	})

	t.Run("deterministic", func(t *testing.T) {
		again := cloneResult(orig)
		pseudonymize(again, slices.Clone(testKeyA))
		if diff := cmp.Diff(a, again, cmp.AllowUnexported(exposure.Coverage{})); diff != "" {
			t.Errorf("two runs with one key differ (-first +second):\n%s", diff)
		}
	})

	t.Run("keys unlinkable", func(t *testing.T) {
		b := cloneResult(orig)
		pseudonymize(b, testKeyB)
		pseudonyms := func(r *exposure.Result) map[string]bool {
			m := map[string]bool{}
			for _, s := range allStrings(r) {
				for _, f := range strings.FieldsFunc(s, func(c rune) bool { return c == '/' || c == '.' || c == '+' }) {
					if strings.HasPrefix(f, "p_") || strings.HasPrefix(f, "t_") {
						m[f] = true
					}
				}
			}
			return m
		}
		pa, pb := pseudonyms(a), pseudonyms(b)
		if len(pa) == 0 || len(pa) != len(pb) {
			t.Fatalf("pseudonyms: %d under key A, %d under key B", len(pa), len(pb))
		}
		for p := range pa {
			if pb[p] {
				t.Errorf("pseudonym %s appears under both keys", p)
			}
		}
	})

	t.Run("scheme", func(t *testing.T) {
		// Every person's pseudonym is the documented HMAC of its ID.
		var want, got []string
		for _, p := range orig.Persons {
			want = append(want, refSubject(testKeyA, p.SubjectID.Reveal()))
		}
		for _, p := range a.Persons {
			got = append(got, p.SubjectID.Reveal())
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("person pseudonyms (-want +got):\n%s", diff)
		}
		for _, r := range a.Recordings {
			if r.CallerPhone != "" && !regexp.MustCompile(`^t_[a-z2-7]{20}$`).MatchString(r.CallerPhone.Reveal()) {
				t.Errorf("caller phone pseudonym %q has the wrong form", r.CallerPhone)
			}
		}
	})

	t.Run("joins", func(t *testing.T) {
		checkJoins(t, orig, "plain")
		checkJoins(t, a, "pseudonymized")
		// Row counts per subject survive, keyed by the pseudonym.
		count := func(r *exposure.Result, id func(string) string) map[string]int {
			m := map[string]int{}
			for _, e := range r.Exposures {
				m[id(e.SubjectID.Reveal())]++
			}
			return m
		}
		want := count(orig, func(s string) string { return refSubject(testKeyA, s) })
		got := count(a, func(s string) string { return s })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("exposure rows per subject (-want +got):\n%s", diff)
		}
		// The caller's phone in a path became the caller's pseudonym.
		n := 0
		for _, r := range a.Recordings {
			if r.CallerPhone != "" && strings.Contains(r.Path, r.CallerPhone.Reveal()) {
				n++
			}
		}
		if n < len(a.Recordings)/2 {
			t.Errorf("only %d of %d recording paths hold the caller's phone pseudonym", n, len(a.Recordings))
		}
	})

	t.Run("sorted", func(t *testing.T) {
		if !slices.IsSortedFunc(a.Persons, func(x, y exposure.PersonRow) int { return strings.Compare(x.SubjectID.Reveal(), y.SubjectID.Reveal()) }) {
			t.Error("persons not sorted by pseudonym")
		}
		// Exposures and recordings keep the engine's order (index order),
		// which owes nothing to the numbers: the same as without
		// pseudonyms, row for row.
		if len(a.Exposures) != len(orig.Exposures) || len(a.Recordings) != len(orig.Recordings) {
			t.Fatal("row counts changed")
		}
		for i := range a.Exposures {
			if a.Exposures[i].ActorIP != orig.Exposures[i].ActorIP || a.Exposures[i].Level != orig.Exposures[i].Level {
				t.Errorf("exposure row %d moved", i)
				break
			}
		}
		for i := range a.Recordings {
			if a.Recordings[i].StartedAt != orig.Recordings[i].StartedAt || a.Recordings[i].Level != orig.Recordings[i].Level {
				t.Errorf("recording row %d moved", i)
				break
			}
		}
	})

	t.Run("rest unchanged", func(t *testing.T) {
		// Everything but the pseudonymized fields is as before, as a
		// multiset (row order changed).
		strip := func(r *exposure.Result) ([]exposure.ExposureRow, []exposure.PersonRow, []exposure.RecordingRow) {
			c := cloneResult(r)
			for i := range c.Exposures {
				c.Exposures[i].SubjectIDGiven = ""
				c.Exposures[i].SubjectID, c.Exposures[i].Path, c.Exposures[i].CallID, c.Exposures[i].CallerPhone = "", "", "", ""
			}
			for i := range c.Persons {
				c.Persons[i].SubjectID, c.Persons[i].SubjectIDGiven, c.Persons[i].Phones = "", "", nil
			}
			for i := range c.Recordings {
				c.Recordings[i].Path, c.Recordings[i].CallerPhone = "", ""
			}
			return c.Exposures, c.Persons, c.Recordings
		}
		oe, op, or := strip(orig)
		ae, ap, ar := strip(a)
		sortRows := cmp.Transformer("sort", func(in []exposure.ExposureRow) []string {
			var out []string
			for _, e := range in {
				out = append(out, fmt.Sprintf("%+v", e))
			}
			slices.Sort(out)
			return out
		})
		if diff := cmp.Diff(oe, ae, sortRows); diff != "" {
			t.Errorf("exposure rows changed beyond the pseudonymized fields (-plain +pseudonymized):\n%s", diff)
		}
		sortP := cmp.Transformer("sortP", func(in []exposure.PersonRow) []string {
			var out []string
			for _, p := range in {
				out = append(out, fmt.Sprintf("%+v", p))
			}
			slices.Sort(out)
			return out
		})
		if diff := cmp.Diff(op, ap, sortP); diff != "" {
			t.Errorf("person rows changed beyond the pseudonymized fields:\n%s", diff)
		}
		sortR := cmp.Transformer("sortR", func(in []exposure.RecordingRow) []string {
			var out []string
			for _, r := range in {
				out = append(out, fmt.Sprintf("%+v", r))
			}
			slices.Sort(out)
			return out
		})
		if diff := cmp.Diff(or, ar, sortR); diff != "" {
			t.Errorf("recording rows changed beyond the pseudonymized fields:\n%s", diff)
		}
		if diff := cmp.Diff(orig.Actors, a.Actors); diff != "" {
			t.Errorf("actors changed (-plain +pseudonymized):\n%s", diff)
		}
		if diff := cmp.Diff(orig.Summary, a.Summary); diff != "" {
			t.Errorf("summary changed (-plain +pseudonymized):\n%s", diff)
		}
	})
}

// checkJoins checks the joins a recipient makes: exposures to persons on
// subject_id, exposures to recordings on path (with the same call ID and
// caller phone), and a person's phones to its caller rows. Paths stay
// unique.
func checkJoins(t *testing.T, r *exposure.Result, what string) {
	t.Helper()
	persons := map[exposure.IdentityNumber]exposure.PersonRow{}
	for _, p := range r.Persons {
		persons[p.SubjectID] = p
	}
	recs := map[string]exposure.RecordingRow{}
	for _, rec := range r.Recordings {
		if _, dup := recs[rec.Path]; dup {
			t.Errorf("%s: two recordings share a path", what)
		}
		recs[rec.Path] = rec
	}
	callerPhones := map[exposure.IdentityNumber]map[exposure.Phone]bool{}
	bad := map[string]int{}
	for _, e := range r.Exposures {
		if _, ok := persons[e.SubjectID]; !ok {
			bad["exposure subject not in persons"]++
		}
		rec, ok := recs[e.Path]
		switch {
		case !ok:
			bad["exposure path not in recordings"]++
		case rec.CallID != e.CallID || rec.CallerPhone != e.CallerPhone:
			bad["exposure and recording disagree on call ID or phone"]++
		}
		if e.CallerPhone != "" {
			if callerPhones[e.SubjectID] == nil {
				callerPhones[e.SubjectID] = map[exposure.Phone]bool{}
			}
			callerPhones[e.SubjectID][e.CallerPhone] = true
		}
	}
	// A person's phones are the caller numbers of all their calls: every
	// one is a recording's number, and every number on the person's
	// exposure rows is among them.
	recPhones := map[exposure.Phone]bool{}
	for _, rec := range r.Recordings {
		recPhones[rec.CallerPhone] = true
	}
	withPhones := 0
	for _, p := range r.Persons {
		for _, ph := range p.Phones {
			withPhones++
			if !recPhones[ph] {
				bad["person phone not a recording's caller phone"]++
			}
		}
		for ph := range callerPhones[p.SubjectID] {
			if !slices.Contains(p.Phones, ph) {
				bad["exposure row's caller phone missing from the person's phones"]++
			}
		}
	}
	if withPhones == 0 {
		bad["no person has a phone: the demo does not exercise the join"]++
	}
	for k, n := range bad {
		t.Errorf("%s: %s: %d rows", what, k, n)
	}
}

// FuzzScrub checks that scrub never panics, is deterministic, and leaves
// no whole digit run of the caller's phone.
func FuzzScrub(f *testing.F) {
	f.Add("/recordings/Stockholm/2019/02/01/STO1_0701740605.mp3", "+46701740605")
	f.Add("/r/0046701740605/46701740605_+46701740605.wav", "+46701740605")
	f.Add("/r/x_"+genPNR("20061219", 918)[2:6]+"-1234.mp3", "")
	f.Add("/r/x_"+genPNR("19741123", 705)+".mp3", "0701740605")
	f.Add("0123456789012345678901234567890", "+4670")
	f.Fuzz(func(t *testing.T, s, caller string) {
		ref := time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC)
		got, _ := newPseudonymizer(testKeyA).scrub(s, exposure.Phone(caller), ref)
		again, _ := newPseudonymizer(testKeyA).scrub(s, exposure.Phone(caller), ref)
		if got != again {
			t.Fatal("scrub is not deterministic")
		}
		runs := phoneRuns(exposure.Phone(caller))
		for _, run := range regexp.MustCompile(`\d+`).FindAllString(got, -1) {
			if slices.Contains(runs, run) {
				t.Fatalf("a digit run of the caller's phone remains")
			}
		}
		if !hasDigitRun(s, 6) && got != s {
			t.Fatal("a string without long digit runs changed")
		}
	})
}

// BenchmarkPseudonymize measures pseudonymize on the demo result; the
// copy it needs each round is included.
func BenchmarkPseudonymize(b *testing.B) {
	orig, _ := demoResult(b)
	rows := len(orig.Exposures) + len(orig.Persons) + len(orig.Recordings)
	b.ReportAllocs()
	for b.Loop() {
		pseudonymize(cloneResult(orig), testKeyA)
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
