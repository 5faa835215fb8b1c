package exposure

import "net/netip"

// Geo is what a GeoIP database says of an address. Empty fields are
// unknown.
type Geo struct {
	Country string // ISO 3166-1 alpha-2 code, e.g. "SE"
	City    string // English name
	ASN     uint32 // autonomous system number, 0 when unknown
	ASOrg   string // autonomous system organisation
}

// A GeoLookup finds where an address is: found is false when it knows
// nothing of addr; err is set when the lookup failed (a database that
// refused the address), and the engine counts such failures in
// Stats.GeoLookupErrors and treats the address as unknown (with what geo
// holds). Implementations must be safe for concurrent use; the engine
// calls it once per distinct address.
type GeoLookup interface {
	LookupGeo(addr netip.Addr) (geo Geo, found bool, err error)
}

// UserAgent classes.
const (
	UABrowser = "browser" // a web browser or media player
	UACrawler = "crawler" // a named search-engine or archive crawler
	UATool    = "tool"    // curl, wget, python-requests, scanners, libraries
	UAUnknown = "unknown" // empty or unrecognised
)

// UserAgent is what a user-agent string says of the client.
type UserAgent struct {
	Class   string // one of UABrowser, UACrawler, UATool, UAUnknown
	Name    string // family, e.g. "Firefox", "Googlebot", "curl"
	Version string // e.g. "115.0"
}

// A UserAgentParser classifies user-agent strings. Implementations must
// be safe for concurrent use.
type UserAgentParser interface {
	ParseUserAgent(ua string) UserAgent
}

// Actor categories for known actors. A user may choose other names.
const (
	CategoryAuthorized = "authorized"
	CategoryPress      = "press"
	CategoryInternal   = "internal"
	CategoryCrawler    = "crawler"
	CategoryUnknown    = "unknown"
)

// KnownActor is a label and a category for an actor the responder knows.
type KnownActor struct {
	Label    string
	Category string
}

// An ActorDirectory names known actors by address and user agent. The
// first matching entry wins. Implementations must be safe for concurrent
// use.
type ActorDirectory interface {
	MatchActor(addr netip.Addr, userAgent string) (KnownActor, bool)
}
