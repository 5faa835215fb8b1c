package geoiptest_test

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/forensiclog/forensics/internal/geoiptest"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/google/go-cmp/cmp"
)

// TestRoundTrip builds both databases, opens them with internal/geoip and
// checks IPv4, IPv6 and not-found lookups against the table.
func TestRoundTrip(t *testing.T) {
	db, err := geoiptest.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	f := func(addr string, want exposure.Geo, wantOK bool) {
		t.Helper()
		got, ok, err := db.LookupGeo(netip.MustParseAddr(addr))
		if err != nil {
			t.Errorf("LookupGeo(%s): %v", addr, err)
		}
		if ok != wantOK {
			t.Errorf("LookupGeo(%s) found = %v, want %v", addr, ok, wantOK)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("LookupGeo(%s) (-want +got):\n%s", addr, diff)
		}
	}
	f("192.0.2.1", exposure.Geo{Country: "SE", City: "Stockholm", ASN: 64500, ASOrg: "Example Telecom AB"}, true)
	f("192.0.2.200", exposure.Geo{Country: "SE", City: "Stockholm", ASN: 64504, ASOrg: "Example Fibre AB"}, true)
	f("198.51.100.7", exposure.Geo{Country: "US", City: "Ashburn", ASN: 64501, ASOrg: "Example Cloud Inc"}, true)
	f("198.51.100.66", exposure.Geo{Country: "US", City: "Mountain View", ASN: 64505, ASOrg: "Example Search LLC"}, true)
	f("203.0.113.255", exposure.Geo{Country: "NL", City: "Amsterdam", ASN: 64502, ASOrg: "Example Hosting BV"}, true)
	f("::ffff:203.0.113.9", exposure.Geo{Country: "NL", City: "Amsterdam", ASN: 64502, ASOrg: "Example Hosting BV"}, true)
	f("2001:db8:1::1", exposure.Geo{Country: "SE", City: "Gothenburg", ASN: 64500, ASOrg: "Example Telecom AB"}, true)
	f("2001:db8:2:ffff::1", exposure.Geo{Country: "DE", City: "Frankfurt", ASN: 64503, ASOrg: "Example Transit GmbH"}, true)
	f("2001:db8:4::9", exposure.Geo{Country: "SE", ASN: 64506, ASOrg: "Example Mobile AB"}, true)
	f("100.64.0.1", exposure.Geo{}, false)
	f("192.0.3.0", exposure.Geo{}, false)
	f("2001:db8:5::1", exposure.Geo{}, false)

	// Every table entry and every NotFound address, through Want.
	for _, e := range geoiptest.Table() {
		for _, a := range []netip.Addr{e.Network.Addr(), lastAddr(e.Network)} {
			w, ok := geoiptest.Want(a)
			if !ok {
				t.Fatalf("Want(%s) found nothing inside its own table", a)
			}
			f(a.String(), exposure.Geo{Country: w.Country, City: w.City, ASN: w.ASN, ASOrg: w.ASOrg}, true)
		}
	}
	for _, a := range geoiptest.NotFound {
		if _, ok := geoiptest.Want(a); ok {
			t.Errorf("Want(%s) found an entry for a NotFound address", a)
		}
		f(a.String(), exposure.Geo{}, false)
	}
}

// lastAddr returns the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// TestDeterministic writes each database twice and compares the bytes.
func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	for _, w := range []struct {
		name  string
		write func(string) error
	}{{"city", geoiptest.WriteCity}, {"asn", geoiptest.WriteASN}} {
		a, b := filepath.Join(dir, w.name+"1"), filepath.Join(dir, w.name+"2")
		if err := w.write(a); err != nil {
			t.Fatal(err)
		}
		if err := w.write(b); err != nil {
			t.Fatal(err)
		}
		da, _ := os.ReadFile(a)
		db, _ := os.ReadFile(b)
		if len(da) == 0 || !bytes.Equal(da, db) {
			t.Errorf("%s: two builds differ (%d and %d bytes)", w.name, len(da), len(db))
		}
	}
}

func TestTableIsACopy(t *testing.T) {
	tab := geoiptest.Table()
	if n := len(tab); n < 6 || n > 10 {
		t.Fatalf("table has %d entries, want 6 to 10", n)
	}
	tab[0].Country = "XX"
	if geoiptest.Table()[0].Country == "XX" {
		t.Error("Table returned the package's own slice")
	}
}

func TestWriteError(t *testing.T) {
	if err := geoiptest.WriteCity(filepath.Join(t.TempDir(), "missing", "city.mmdb")); err == nil {
		t.Error("WriteCity into a missing folder: no error")
	}
}
