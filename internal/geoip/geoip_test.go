package geoip_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/forensiclog/forensics/internal/geoip"
	"github.com/forensiclog/forensics/internal/geoiptest"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/google/go-cmp/cmp"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// build writes a City and an ASN test database of the given types.
func build(t testing.TB, cityType, asnType string) (city, asn string) {
	t.Helper()
	dir := t.TempDir()
	city, asn = filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	if err := geoiptest.WriteCityAs(city, cityType); err != nil {
		t.Fatal(err)
	}
	if err := geoiptest.WriteASNAs(asn, asnType); err != nil {
		t.Fatal(err)
	}
	return city, asn
}

func want(addr netip.Addr) (exposure.Geo, bool) {
	e, ok := geoiptest.Want(addr)
	return exposure.Geo{Country: e.Country, City: e.City, ASN: e.ASN, ASOrg: e.ASOrg}, ok
}

var probes = []string{
	"192.0.2.1", "192.0.2.255", "198.51.100.64", "198.51.100.127", "203.0.113.77",
	"2001:db8:1::", "2001:db8:2::42", "2001:db8:3:1::1", "2001:db8:4::1",
	"100.64.0.1", "10.0.0.1", "2001:db8:9::1", "::ffff:192.0.2.9",
}

func TestLookupKinds(t *testing.T) {
	for _, tc := range []struct{ name, city, asn string }{
		{"maxmind", geoiptest.CityType, geoiptest.ASNType},
		{"geolite2", "GeoLite2-City", geoiptest.ASNType},
		{"dbip", geoiptest.DBIPCityType, geoiptest.DBIPASNType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			city, asn := build(t, tc.city, tc.asn)
			db, err := geoip.Open(city, asn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, s := range probes {
				a := netip.MustParseAddr(s)
				w, wok := want(a)
				for range 2 { // second call is served from the cache
					g, ok, err := db.LookupGeo(a)
					if err != nil {
						t.Errorf("LookupGeo(%s): %v", s, err)
					}
					if ok != wok {
						t.Errorf("LookupGeo(%s) found = %v, want %v", s, ok, wok)
					}
					if diff := cmp.Diff(w, g); diff != "" {
						t.Errorf("LookupGeo(%s) (-want +got):\n%s", s, diff)
					}
				}
			}
			if n := db.LookupErrors(); n != 0 {
				t.Errorf("LookupErrors = %d, want 0", n)
			}
		})
	}
}

func TestOneDatabase(t *testing.T) {
	city, asn := build(t, geoiptest.CityType, geoiptest.ASNType)
	a := netip.MustParseAddr("203.0.113.1")

	db, err := geoip.Open(city, "")
	if err != nil {
		t.Fatal(err)
	}
	g, ok, _ := db.LookupGeo(a)
	db.Close()
	if diff := cmp.Diff(exposure.Geo{Country: "NL", City: "Amsterdam"}, g); !ok || diff != "" {
		t.Errorf("city only: ok=%v (-want +got):\n%s", ok, diff)
	}

	db, err = geoip.Open("", asn)
	if err != nil {
		t.Fatal(err)
	}
	g, ok, _ = db.LookupGeo(a)
	db.Close()
	if diff := cmp.Diff(exposure.Geo{ASN: 64502, ASOrg: "Example Hosting BV"}, g); !ok || diff != "" {
		t.Errorf("asn only: ok=%v (-want +got):\n%s", ok, diff)
	}
}

func TestMetadata(t *testing.T) {
	city, asn := build(t, geoiptest.DBIPCityType, geoiptest.DBIPASNType)
	db, err := geoip.Open(city, asn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum := func(p string) (string, int64) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:]), int64(len(b))
	}
	cs, cn := sum(city)
	as, an := sum(asn)
	want := []geoip.DBInfo{
		{Role: "city", Path: city, DatabaseType: geoiptest.DBIPCityType, BuildTime: geoiptest.BuildEpoch, SHA256: cs, Size: cn},
		{Role: "asn", Path: asn, DatabaseType: geoiptest.DBIPASNType, BuildTime: geoiptest.BuildEpoch, SHA256: as, Size: an},
	}
	if diff := cmp.Diff(want, db.Metadata()); diff != "" {
		t.Errorf("Metadata (-want +got):\n%s", diff)
	}
}

func TestOpenErrors(t *testing.T) {
	city, asn := build(t, geoiptest.CityType, geoiptest.ASNType)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.mmdb")
	if err := os.WriteFile(junk, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.mmdb")
	if err := geoiptest.WriteCityAs(other, "Example-Unknown-Type"); err != nil {
		t.Fatal(err)
	}

	f := func(name, cityPath, asnPath string, is error) {
		t.Helper()
		db, err := geoip.Open(cityPath, asnPath)
		if err == nil {
			db.Close()
			t.Errorf("%s: Open succeeded", name)
			return
		}
		if is != nil && !errors.Is(err, is) {
			t.Errorf("%s: error %v, want %v", name, err, is)
		}
	}
	f("none", "", "", geoip.ErrNoDatabase)
	f("missing", filepath.Join(dir, "absent.mmdb"), "", fs.ErrNotExist)
	f("junk", junk, asn, nil)
	f("unknown type", other, "", nil)
	f("asn as city", asn, "", geoip.ErrWrongKind)
	f("city as asn", city, city, geoip.ErrWrongKind)
}

func TestConcurrentAndClose(t *testing.T) {
	city, asn := build(t, geoiptest.CityType, geoiptest.ASNType)
	db, err := geoip.Open(city, asn)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				a := netip.MustParseAddr(probes[(i+j)%len(probes)])
				w, wok := want(a)
				if g, ok, _ := db.LookupGeo(a); ok != wok || g != w {
					t.Errorf("LookupGeo(%s) = %+v, %v; want %+v, %v", a, g, ok, w, wok)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, ok, _ := db.LookupGeo(netip.MustParseAddr("192.0.2.77")); ok {
		t.Error("lookup of an uncached address after Close found data")
	}
	if _, ok, _ := db.LookupGeo(netip.Addr{}); ok {
		t.Error("lookup of the zero Addr found data")
	}
}

func BenchmarkLookupGeoCached(b *testing.B) {
	city, asn := build(b, geoiptest.CityType, geoiptest.ASNType)
	db, err := geoip.Open(city, asn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	a := netip.MustParseAddr("192.0.2.1")
	db.LookupGeo(a)
	b.ReportAllocs()
	for b.Loop() {
		db.LookupGeo(a)
	}
}

func BenchmarkLookupGeoUncached(b *testing.B) {
	city, asn := build(b, geoiptest.CityType, geoiptest.ASNType)
	b.ReportAllocs()
	i := 0
	var db *geoip.DB
	for b.Loop() {
		if i%65536 == 0 { // a fresh DB, so that every lookup misses the cache
			b.StopTimer()
			if db != nil {
				db.Close()
			}
			var err error
			if db, err = geoip.Open(city, asn); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		db.LookupGeo(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 14: byte(i >> 8), 15: byte(i)}))
		i++
	}
	db.Close()
}

func Example() {
	dir, _ := os.MkdirTemp("", "geoip")
	defer os.RemoveAll(dir)
	city, asn := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	if err := geoiptest.WriteCity(city); err != nil {
		panic(err)
	}
	if err := geoiptest.WriteASN(asn); err != nil {
		panic(err)
	}

	db, err := geoip.Open(city, asn)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	for _, s := range []string{"192.0.2.10", "2001:db8:2::1", "100.64.0.1"} {
		g, ok, _ := db.LookupGeo(netip.MustParseAddr(s))
		fmt.Printf("%s found=%v country=%q city=%q asn=%d org=%q\n", s, ok, g.Country, g.City, g.ASN, g.ASOrg)
	}
	for _, m := range db.Metadata() {
		fmt.Println(m.Role, m.DatabaseType, m.BuildTime.Format("2006-01-02"))
	}
	// Output:
	// 192.0.2.10 found=true country="SE" city="Stockholm" asn=64500 org="Example Telecom AB"
	// 2001:db8:2::1 found=true country="DE" city="Frankfurt" asn=64503 org="Example Transit GmbH"
	// 100.64.0.1 found=false country="" city="" asn=0 org=""
	// city GeoIP2-City 2019-02-18
	// asn GeoLite2-ASN 2019-02-18
}

// TestLookupErrors: an IPv6 address in an IPv4-only database is refused;
// LookupGeo returns the error (the engine counts it), and LookupErrors
// counts it once however often the address is asked for.
func TestLookupErrors(t *testing.T) {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: geoiptest.CityType, IPVersion: 4, RecordSize: 24, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	_, n, _ := net.ParseCIDR("192.0.2.0/24")
	if err := tree.Insert(n, mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("SE")}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v4.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := geoip.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if g, ok, err := db.LookupGeo(netip.MustParseAddr("192.0.2.1")); err != nil || !ok || g.Country != "SE" {
		t.Errorf("IPv4 address: %+v, %v, %v", g, ok, err)
	}
	for range 2 {
		if _, ok, err := db.LookupGeo(netip.MustParseAddr("2001:db8::1")); err == nil || ok {
			t.Errorf("IPv6 address in an IPv4-only database: found=%v err=%v, want an error", ok, err)
		}
	}
	if n := db.LookupErrors(); n != 1 {
		t.Errorf("LookupErrors = %d, want 1", n)
	}
}
