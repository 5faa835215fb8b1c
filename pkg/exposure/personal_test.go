package exposure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
)

// TestRowsMaskPersonalData prints output rows every way a program may
// print them by accident: fmt with every common verb, fmt.Errorf, slog's
// text and JSON handlers, encoding/json. None shows an identity or phone
// number, whole or as its digits; Reveal shows each.
func TestRowsMaskPersonalData(t *testing.T) {
	id := genPNR("19800101", 123)   // 12 digits
	given := id[2:8] + "-" + id[8:] // YYMMDD-NNNC, as an index may give it
	phone := "+46701740605"         // the range reserved for fiction
	secrets := []string{id, given, id[2:], phone, phone[1:], "0" + phone[3:], phone[3:]}

	e := ExposureRow{SubjectID: IdentityNumber(id), SubjectIDGiven: IdentityNumber(given), CallerPhone: Phone(phone), Level: "full"}
	p := PersonRow{SubjectID: IdentityNumber(id), SubjectIDGiven: IdentityNumber(given), Phones: []Phone{Phone(phone)}}
	r := RecordingRow{CallerPhone: Phone(phone), Level: "full"}

	var outs []string
	for _, v := range []any{e, &e, p, &p, r, e.SubjectID, e.SubjectIDGiven, e.CallerPhone, p.Phones} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		outs = append(outs, fmt.Sprint(v), fmt.Sprintln(v), fmt.Errorf("row %v: %w", v, errTest).Error())
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("row", "row", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("row", "row", v)
		outs = append(outs, buf.String())
		if b, err := json.Marshal(v); err == nil {
			outs = append(outs, string(b))
		} else {
			t.Errorf("json.Marshal(%T): %v", v, err)
		}
	}
	for _, out := range outs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("printed row shows a number (%d digits): %s", len(s), out)
			}
		}
	}
	if !strings.Contains(fmt.Sprint(e), "19800101-****") || !strings.Contains(fmt.Sprint(e), "+*********05") {
		t.Errorf("masked forms missing: %v", e)
	}
	if got := fmt.Sprintf("%#v", e.SubjectID); got != `exposure.IdentityNumber("19800101-****")` {
		t.Errorf("%%#v = %s", got)
	}
	if e.SubjectID.Reveal() != id || e.SubjectIDGiven.Reveal() != given || e.CallerPhone.Reveal() != phone {
		t.Error("Reveal does not return the values")
	}
}

var errTest = fmt.Errorf("test")

func TestIdentityNumberString(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := IdentityNumber(in).String(); got != want {
			t.Errorf("IdentityNumber(%d chars).String() = %q, want %q", len(in), got, want)
		}
	}
	f("", "")
	f("198001011239", "19800101-****")
	f("19800101-1239", "19800101-****")
	f("800101+1239", "800101-****")
	f("8001011239", "800101-****")
	f("R12345", "****")
	f("12345678901234", "****")
}

// failingGeo refuses every IPv6 address, as an IPv4-only database does.
type failingGeo struct{}

func (failingGeo) LookupGeo(a netip.Addr) (Geo, bool, error) {
	if a.Is6() {
		return Geo{}, false, errors.New("IPv6 address in an IPv4-only database")
	}
	return Geo{Country: "SE"}, true, nil
}

// TestGeoLookupErrorsCounted: a GeoLookup's error is not dropped: the
// actor's place stays unknown and Stats counts it.
func TestGeoLookupErrorsCounted(t *testing.T) {
	ix := testIndex(t)
	v6 := netip.MustParseAddr("2001:db8::7")
	res := run(t, ix, Options{Geo: failingGeo{}},
		line{method: "GET", target: "/rec/sthlm/2019/02/c1_0701740001.mp3", status: 200, body: 1000},
		line{method: "GET", target: "/rec/sthlm/2019/02/c2_0701740002.mp3", status: 200, body: 2000, from: v6},
	)
	if n := res.Summary.Engine.GeoLookupErrors; n != 1 {
		t.Errorf("GeoLookupErrors = %d, want 1", n)
	}
	for _, a := range res.Actors {
		if want := map[bool]string{true: "", false: "SE"}[a.ActorIP == v6.String()]; a.Country != want {
			t.Errorf("actor %s: country %q, want %q", a.ActorIP, a.Country, want)
		}
	}
}
