// Package geoiptest builds small GeoIP databases for tests: a City
// database and an ASN database in the MaxMind DB format, with the record
// layouts of GeoIP2-City and GeoLite2-ASN, over documentation address
// ranges only (RFC 5737 and RFC 3849).
//
// # The table
//
// Table lists every network the databases hold. Tests assert against it
// instead of repeating addresses and names:
//
//	Network           Country City           ASN     Organisation            Stands for
//	192.0.2.0/24      SE      Stockholm      AS64500 Example Telecom AB      Swedish consumer ISP
//	192.0.2.192/26    SE      Stockholm      AS64504 Example Fibre AB        a journalist's ISP (inside the above; the trade
//	                                                                           paper's office in fixtures/actors.example.*)
//	198.51.100.0/24   US      Ashburn        AS64501 Example Cloud Inc       cloud servers, scanners
//	198.51.100.64/26  US      Mountain View  AS64505 Example Search LLC      a search engine's crawlers (inside the above)
//	203.0.113.0/24    NL      Amsterdam      AS64502 Example Hosting BV      hosting, VPN exits
//	2001:db8:1::/48   SE      Gothenburg     AS64500 Example Telecom AB      the Swedish ISP over IPv6
//	2001:db8:2::/48   DE      Frankfurt      AS64503 Example Transit GmbH    a German network
//	2001:db8:3::/48   US      Mountain View  AS64505 Example Search LLC      the crawlers over IPv6
//	2001:db8:4::/48   SE      (none)         AS64506 Example Mobile AB       a mobile carrier, country only
//
// Everything else has no entry, in particular 100.64.0.0/10 (carrier-grade
// NAT), 10.0.0.0/8 and the rest of 2001:db8::/32.
//
// # Determinism
//
// The build time is fixed (BuildEpoch, the day the 1177 recordings were
// found) and the writer orders map keys, so every run writes the same
// bytes.
//
// The writer is told to include reserved networks: by default mmdbwriter
// refuses to insert documentation ranges, as real databases never hold
// them.
package geoiptest

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/forensiclog/forensics/internal/geoip"
)

// Database types written into the metadata. The DB-IP names are those of
// DB-IP's free databases, which share the MaxMind record layouts.
const (
	CityType     = "GeoIP2-City"
	ASNType      = "GeoLite2-ASN"
	DBIPCityType = "DBIP-City-Lite"
	DBIPASNType  = "DBIP-ASN-Lite (compat=GeoLite2-ASN)"
)

// BuildEpoch is the build time written into every test database:
// 2019-02-18 00:00:00 UTC, the day the open server was reported.
var BuildEpoch = time.Date(2019, 2, 18, 0, 0, 0, 0, time.UTC)

// Entry is one network of the test databases.
type Entry struct {
	Network   netip.Prefix
	Country   string // ISO 3166-1 alpha-2
	City      string // English name; "" for a country-only record
	Latitude  float64
	Longitude float64
	TimeZone  string
	ASN       uint32
	ASOrg     string
	Note      string // what the range stands for in tests
}

var table = []Entry{
	{netip.MustParsePrefix("192.0.2.0/24"), "SE", "Stockholm", 59.3293, 18.0686, "Europe/Stockholm", 64500, "Example Telecom AB", "Swedish consumer ISP"},
	{netip.MustParsePrefix("192.0.2.192/26"), "SE", "Stockholm", 59.3326, 18.0649, "Europe/Stockholm", 64504, "Example Fibre AB", "a journalist's ISP (the trade paper's office)"},
	{netip.MustParsePrefix("198.51.100.0/24"), "US", "Ashburn", 39.0438, -77.4874, "America/New_York", 64501, "Example Cloud Inc", "cloud servers and scanners"},
	{netip.MustParsePrefix("198.51.100.64/26"), "US", "Mountain View", 37.3861, -122.0839, "America/Los_Angeles", 64505, "Example Search LLC", "a search engine's crawlers"},
	{netip.MustParsePrefix("203.0.113.0/24"), "NL", "Amsterdam", 52.3676, 4.9041, "Europe/Amsterdam", 64502, "Example Hosting BV", "hosting and VPN exits"},
	{netip.MustParsePrefix("2001:db8:1::/48"), "SE", "Gothenburg", 57.7089, 11.9746, "Europe/Stockholm", 64500, "Example Telecom AB", "the Swedish ISP over IPv6"},
	{netip.MustParsePrefix("2001:db8:2::/48"), "DE", "Frankfurt", 50.1109, 8.6821, "Europe/Berlin", 64503, "Example Transit GmbH", "a German network"},
	{netip.MustParsePrefix("2001:db8:3::/48"), "US", "Mountain View", 37.3861, -122.0839, "America/Los_Angeles", 64505, "Example Search LLC", "the crawlers over IPv6"},
	{netip.MustParsePrefix("2001:db8:4::/48"), "SE", "", 0, 0, "", 64506, "Example Mobile AB", "a mobile carrier, country only"},
}

// NotFound lists addresses that have no entry in the test databases.
var NotFound = []netip.Addr{
	netip.MustParseAddr("100.64.0.1"),
	netip.MustParseAddr("100.127.255.254"),
	netip.MustParseAddr("10.1.2.3"),
	netip.MustParseAddr("2001:db8:ffff::1"),
	netip.MustParseAddr("2001:db8::1"),
}

// Table returns a copy of the networks the test databases hold, broader
// networks before the narrower ones inside them. An address takes the
// entry of the longest matching prefix; see Want.
func Table() []Entry {
	return append([]Entry(nil), table...)
}

// Want returns the entry the databases give for addr (longest prefix
// wins), and false for an address without an entry.
func Want(addr netip.Addr) (Entry, bool) {
	addr = addr.Unmap()
	best, found := Entry{}, false
	for _, e := range table {
		if e.Network.Contains(addr) && (!found || e.Network.Bits() > best.Network.Bits()) {
			best, found = e, true
		}
	}
	return best, found
}

var continents = map[string][2]string{
	"SE": {"EU", "Europe"},
	"NL": {"EU", "Europe"},
	"DE": {"EU", "Europe"},
	"US": {"NA", "North America"},
}

var countryNames = map[string]string{
	"SE": "Sweden",
	"NL": "Netherlands",
	"DE": "Germany",
	"US": "United States",
}

// WriteCity writes the City database (type GeoIP2-City) to path.
func WriteCity(path string) error { return WriteCityAs(path, CityType) }

// WriteASN writes the ASN database (type GeoLite2-ASN) to path.
func WriteASN(path string) error { return WriteASNAs(path, ASNType) }

// Open writes both databases into dir as city.mmdb and asn.mmdb and
// opens them with internal/geoip.
func Open(dir string) (*geoip.DB, error) {
	city, asn := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	if err := WriteCity(city); err != nil {
		return nil, err
	}
	if err := WriteASN(asn); err != nil {
		return nil, err
	}
	return geoip.Open(city, asn)
}

// WriteCityAs writes the City database with the given database type in
// its metadata, e.g. DBIPCityType.
func WriteCityAs(path, databaseType string) error {
	return write(path, databaseType, "city", cityRecord)
}

// WriteASNAs writes the ASN database with the given database type in its
// metadata, e.g. DBIPASNType.
func WriteASNAs(path, databaseType string) error {
	return write(path, databaseType, "ASN", asnRecord)
}

func names(en string) mmdbtype.Map {
	return mmdbtype.Map{"en": mmdbtype.String(en)}
}

// cityRecord is a record in the GeoIP2-City layout.
func cityRecord(e Entry) mmdbtype.Map {
	cont := continents[e.Country]
	country := mmdbtype.Map{
		"iso_code": mmdbtype.String(e.Country),
		"names":    names(countryNames[e.Country]),
	}
	rec := mmdbtype.Map{
		"continent": mmdbtype.Map{
			"code":  mmdbtype.String(cont[0]),
			"names": names(cont[1]),
		},
		"country":            country,
		"registered_country": country,
	}
	if e.City != "" {
		rec["city"] = mmdbtype.Map{"names": names(e.City)}
		rec["location"] = mmdbtype.Map{
			"accuracy_radius": mmdbtype.Uint16(20),
			"latitude":        mmdbtype.Float64(e.Latitude),
			"longitude":       mmdbtype.Float64(e.Longitude),
			"time_zone":       mmdbtype.String(e.TimeZone),
		}
	}
	return rec
}

// asnRecord is a record in the GeoLite2-ASN layout.
func asnRecord(e Entry) mmdbtype.Map {
	return mmdbtype.Map{
		"autonomous_system_number":       mmdbtype.Uint32(e.ASN),
		"autonomous_system_organization": mmdbtype.String(e.ASOrg),
	}
}

func write(path, databaseType, kind string, record func(Entry) mmdbtype.Map) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		BuildEpoch:   BuildEpoch.Unix(),
		DatabaseType: databaseType,
		Description: map[string]string{
			"en": "forensics test " + kind + " database (documentation ranges only)",
		},
		Languages:  []string{"en"},
		IPVersion:  6,
		RecordSize: 24,
		// Documentation ranges are reserved: allow them.
		IncludeReservedNetworks: true,
	})
	if err != nil {
		return fmt.Errorf("geoiptest: %w", err)
	}
	// Broader networks come first in the table, so the narrower ones
	// inserted later replace their part of them.
	for _, e := range table {
		n := &net.IPNet{
			IP:   net.IP(e.Network.Addr().AsSlice()),
			Mask: net.CIDRMask(e.Network.Bits(), e.Network.Addr().BitLen()),
		}
		if err := tree.Insert(n, record(e)); err != nil {
			return fmt.Errorf("geoiptest: insert %s: %w", e.Network, err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("geoiptest: %w", err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("geoiptest: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("geoiptest: %w", err)
	}
	return nil
}
