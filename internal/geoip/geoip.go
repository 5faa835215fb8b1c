// Package geoip answers exposure.GeoLookup from MaxMind DB files: GeoIP2
// or GeoLite2 City and ASN databases, and DB-IP's compatible "lite" City
// and ASN databases, read with github.com/oschwald/geoip2-golang/v2.
//
// # Use a database from the time of the incident
//
// Address blocks change hands. They are sold, leased, moved between
// countries and reassigned within an operator, and GeoIP databases are
// rebuilt weekly to follow. An address that belonged to a Swedish
// newspaper's provider in 2019 may belong to a cloud host in Virginia
// today. Looking up years-old log entries in today's database can
// therefore name the wrong country, city and operator, and in an
// incident report a wrong operator is worse than none. Use the snapshot
// closest to the dates of the requests: keep the database that was
// current when the logs were written, or fetch a dated copy (MaxMind
// account holders can download earlier GeoLite2 and GeoIP2 builds; DB-IP
// publishes monthly lite files). When the logs span years, split the
// analysis by period or say in the report which snapshot was used. The
// build date and SHA-256 of each file are in Metadata, for the manifest.
//
// # Lifetime and concurrency
//
// Open reads the files into memory; a DB is safe for concurrent use and
// caches the answer for each distinct address for its lifetime. Close
// releases the readers; lookups after Close find nothing.
//
//	db, err := geoip.Open("GeoLite2-City.mmdb", "GeoLite2-ASN.mmdb")
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	g, ok, err := db.LookupGeo(netip.MustParseAddr("192.0.2.1"))
package geoip

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/oschwald/geoip2-golang/v2"
)

// ErrNoDatabase is returned by Open when neither path is given.
var ErrNoDatabase = errors.New("geoip: no database given")

// ErrWrongKind is returned by Open for a file that cannot answer the
// lookups it was given for, e.g. an ASN database given as the City one.
var ErrWrongKind = errors.New("wrong kind of database")

// DBInfo describes one database file, for the run's manifest.
type DBInfo struct {
	Role         string    // "city" or "asn"
	Path         string    // as given to Open
	DatabaseType string    // from the metadata, e.g. "GeoLite2-City"
	BuildTime    time.Time // from the metadata's build epoch, UTC
	SHA256       string    // hex digest of the file's bytes
	Size         int64     // bytes
}

// DB looks addresses up in a City and an ASN database. It implements
// exposure.GeoLookup.
type DB struct {
	city *geoip2.Reader
	asn  *geoip2.Reader
	info []DBInfo

	mu     sync.RWMutex // guards closed against Close during lookups
	closed bool

	cache   sync.Map // netip.Addr -> result
	lookErr atomic.Int64
}

var _ exposure.GeoLookup = (*DB)(nil)

type result struct {
	geo exposure.Geo
	ok  bool
	err error // a database refused the address
}

// Open opens a City database and an ASN database. Either path may be
// empty, not both. The City file may be any database that answers City
// lookups (GeoIP2/GeoLite2 City or Country, GeoIP2 Enterprise, DB-IP
// City or Country lite); the ASN file one that answers ASN lookups
// (GeoLite2 ASN, GeoIP2 ISP, DB-IP ASN lite).
func Open(cityPath, asnPath string) (*DB, error) {
	if cityPath == "" && asnPath == "" {
		return nil, ErrNoDatabase
	}
	db := &DB{}
	var err error
	if cityPath != "" {
		if db.city, err = db.open("city", cityPath); err != nil {
			db.Close()
			return nil, err
		}
	}
	if asnPath != "" {
		if db.asn, err = db.open("asn", asnPath); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// open reads one file, hashes the bytes it will use, and checks that the
// database answers the lookups of its role.
func (db *DB) open(role, path string) (*geoip2.Reader, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: %w", err)
	}
	sum := sha256.Sum256(data)
	r, err := geoip2.OpenBytes(data)
	if err != nil {
		if r != nil {
			r.Close()
		}
		return nil, fmt.Errorf("geoip: %s: %w", path, err)
	}
	// A lookup tells whether the reader supports the method for this
	// database type (geoip2 answers InvalidMethodError when not).
	probe := netip.IPv4Unspecified()
	var invalid geoip2.InvalidMethodError
	if role == "city" {
		_, err = r.City(probe)
	} else {
		_, err = r.ASN(probe)
	}
	if errors.As(err, &invalid) {
		r.Close()
		return nil, fmt.Errorf("geoip: %s: %s database given as %s database: %w",
			path, invalid.DatabaseType, role, ErrWrongKind)
	}
	md := r.Metadata()
	db.info = append(db.info, DBInfo{
		Role:         role,
		Path:         path,
		DatabaseType: md.DatabaseType,
		BuildTime:    time.Unix(int64(md.BuildEpoch), 0).UTC(),
		SHA256:       hex.EncodeToString(sum[:]),
		Size:         int64(len(data)),
	})
	return r, nil
}

// Metadata describes the open database files, City first.
func (db *DB) Metadata() []DBInfo {
	return append([]DBInfo(nil), db.info...)
}

// LookupGeo returns what the databases say of addr: country and city
// from the City database, autonomous system from the ASN database. It
// reports false when neither database has data for addr, and an error
// when a database refused the address (an IPv6 address in an IPv4-only
// database); what the other database said is still returned. IPv4-mapped
// IPv6 addresses are looked up as IPv4; zones are ignored.
func (db *DB) LookupGeo(addr netip.Addr) (exposure.Geo, bool, error) {
	if !addr.IsValid() {
		return exposure.Geo{}, false, nil
	}
	addr = addr.Unmap().WithZone("")
	if v, ok := db.cache.Load(addr); ok {
		r := v.(result)
		return r.geo, r.ok, r.err
	}
	db.mu.RLock()
	if db.closed {
		db.mu.RUnlock()
		return exposure.Geo{}, false, nil
	}
	r := db.lookup(addr)
	db.mu.RUnlock()
	db.cache.Store(addr, r)
	return r.geo, r.ok, r.err
}

func (db *DB) lookup(addr netip.Addr) result {
	var r result
	if db.city != nil {
		c, err := db.city.City(addr)
		switch {
		case err != nil:
			// e.g. an IPv6 address in an IPv4-only database.
			db.lookErr.Add(1)
			r.err = fmt.Errorf("geoip: city database: %w", err)
		case c.HasData():
			r.geo.Country = c.Country.ISOCode
			r.geo.City = c.City.Names.English
			r.ok = r.geo.Country != "" || r.geo.City != ""
		}
	}
	if db.asn != nil {
		a, err := db.asn.ASN(addr)
		switch {
		case err != nil:
			db.lookErr.Add(1)
			r.err = errors.Join(r.err, fmt.Errorf("geoip: ASN database: %w", err))
		case a.HasData():
			r.geo.ASN = uint32(a.AutonomousSystemNumber)
			r.geo.ASOrg = a.AutonomousSystemOrganization
			r.ok = true
		}
	}
	return r
}

// LookupErrors counts lookups the databases refused, such as IPv6
// addresses in an IPv4-only database. Such addresses are reported as
// not found.
func (db *DB) LookupErrors() int64 { return db.lookErr.Load() }

// Close releases the databases. Lookups after Close report false for
// addresses not already cached.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	var errs []error
	if db.city != nil {
		errs = append(errs, db.city.Close())
	}
	if db.asn != nil {
		errs = append(errs, db.asn.Close())
	}
	return errors.Join(errs...)
}
