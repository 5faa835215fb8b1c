package logparse

import (
	"net/netip"
	"time"
	"unsafe"
)

// NotLogged is the value of a numeric Record field (byte counts, duration)
// that the log format does not carry. It is distinct from a logged zero.
const NotLogged = -1

// Completion is the connection state at the end of a request, when the
// format logs it (Apache %X, nginx $request_completion).
type Completion uint8

const (
	// CompletionNotLogged means the format carries no completion state.
	CompletionNotLogged Completion = iota
	// CompletionComplete means the response was sent in full
	// (Apache "+" or "-", nginx "OK").
	CompletionComplete
	// CompletionAborted means the connection was aborted before the
	// response was complete (Apache "X", nginx empty $request_completion).
	CompletionAborted
)

// String returns "not-logged", "complete" or "aborted".
func (c Completion) String() string {
	switch c {
	case CompletionComplete:
		return "complete"
	case CompletionAborted:
		return "aborted"
	default:
		return "not-logged"
	}
}

// A Field is a logged field that has no typed place in a Record, kept by
// the name the format gives it (an Apache directive such as "%{Cookie}i",
// an nginx variable such as "$upstream_addr", a W3C field such as
// "s-sitename", a JSON key).
type Field struct {
	Name  string
	Value string
}

// A Record is one request as logged by a web server.
//
// String fields alias the reader's buffers. When the Reader's ReuseRecord is
// set, a Record and its strings are valid only until the next call to Read;
// otherwise each Record owns its memory. A field that the format does not
// log holds its zero value, or NotLogged for the numeric fields where zero
// is a meaningful logged value.
type Record struct {
	// Time is when the server logged the request, with the zone offset the
	// log gives (UTC for formats that log in UTC). Apache's %t is when the
	// request arrived; lighttpd's is when it ended. The zero Time means
	// no time was logged.
	Time time.Time

	// Client is the address of the peer as logged (%h, %a, $remote_addr,
	// c-ip). It is the zero Addr when the log holds a host name instead;
	// ClientHost then holds the name.
	Client     netip.Addr
	ClientHost string
	// ForwardedFor is the X-Forwarded-For chain as logged, when logged.
	// Use AppendForwarded to parse it.
	ForwardedFor string

	Ident string // RFC 1413 identity (%l), usually "-" as logged -> ""
	User  string // authenticated user (%u), "" when "-"

	// Method, Target and Protocol are the parts of the request line.
	// Target is the request target as logged, escapes and query included.
	// Path is Target's path, percent-decoded; Query is the raw query
	// without the "?".
	Method   string
	Target   string
	Path     string
	Query    string
	Protocol string

	// Status is the final HTTP status; 0 when not logged or logged as "-".
	Status int

	// BodyBytes is the response body size (Apache %b/%B, nginx
	// $body_bytes_sent, W3C sc-bytes where it counts the body only).
	// WireBytes is bytes sent including headers (Apache %O, nginx
	// $bytes_sent, IIS sc-bytes). RequestBytes is bytes received (%I,
	// $request_length, cs-bytes). Each is NotLogged when not logged.
	BodyBytes    int64
	WireBytes    int64
	RequestBytes int64

	// Range is the Range request header and ContentRange the
	// Content-Range response header, when logged.
	Range        string
	ContentRange string

	// VHost is the virtual host (%v, %V, $host, cs-host); ServerPort is
	// the server's port, 0 when not logged.
	VHost      string
	ServerPort int

	Referer   string
	UserAgent string

	// Duration is the time taken to serve the request, NotLogged when not
	// logged.
	Duration time.Duration

	Completion Completion

	// Extra holds every other logged field by name.
	Extra []Field

	// Source is the input's name, Line its 1-based line number and Offset
	// the byte offset of the line's first byte in the decompressed input.
	Source string
	Line   int64
	Offset int64

	// scratch holds bytes of decoded values that differ from the line.
	scratch []byte
}

// reset clears r for the next line, keeping its buffers when reuse is set.
func (r *Record) reset(reuse bool) {
	extra, scratch := r.Extra[:0], r.scratch[:0]
	*r = Record{
		BodyBytes:    NotLogged,
		WireBytes:    NotLogged,
		RequestBytes: NotLogged,
		Duration:     NotLogged,
	}
	if reuse {
		r.Extra, r.scratch = extra, scratch
	}
}

// Field returns the value of the extra field with the given name.
func (r *Record) Field(name string) (string, bool) {
	for _, f := range r.Extra {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// addExtra appends an extra field.
func (r *Record) addExtra(name, value string) {
	r.Extra = append(r.Extra, Field{Name: name, Value: value})
}

// AppendForwarded appends the addresses of the X-Forwarded-For chain to
// dst, client first, one element per entry of the chain, and returns the
// extended slice; it allocates only when dst must grow. Ports and IPv6
// brackets are removed and IPv4-mapped addresses unmapped. An entry that
// is not an address ("unknown", an obfuscated name, garbage) is the zero
// Addr, kept in its place: whoever walks the chain from the nearest proxy
// (the end) must stop there, as exposure.ClientResolver does. Skipping it
// would let a client choose its address by sending "X-Forwarded-For:
// <any address>, junk".
func (r *Record) AppendForwarded(dst []netip.Addr) []netip.Addr {
	s := r.ForwardedFor
	for len(s) > 0 {
		var part string
		if i := indexByteString(s, ','); i >= 0 {
			part, s = s[:i], s[i+1:]
		} else {
			part, s = s, ""
		}
		a, _ := parseHostAddr(trimSpace(part))
		dst = append(dst, a)
	}
	return dst
}

// Clone returns a deep copy of r that does not alias any reader buffer.
func (r *Record) Clone() *Record {
	c := *r
	c.scratch = nil
	c.Extra = append([]Field(nil), r.Extra...)
	// Strings may alias reused buffers: copy them.
	for _, p := range []*string{&c.ClientHost, &c.ForwardedFor, &c.Ident, &c.User,
		&c.Method, &c.Target, &c.Path, &c.Query, &c.Protocol, &c.Range,
		&c.ContentRange, &c.VHost, &c.Referer, &c.UserAgent, &c.Source} {
		*p = cloneString(*p)
	}
	for i := range c.Extra {
		c.Extra[i].Name = cloneString(c.Extra[i].Name)
		c.Extra[i].Value = cloneString(c.Extra[i].Value)
	}
	return &c
}

func cloneString(s string) string {
	if s == "" {
		return ""
	}
	return string(append([]byte(nil), s...))
}

// bstr returns a string that aliases b. The caller guarantees that b is
// not modified while the string is in use (see Record).
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// keep copies b into the record's scratch space and returns a string
// aliasing the copy. Growing scratch leaves earlier strings intact: they
// keep the old array alive and it is never written again.
func (r *Record) keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	start := len(r.scratch)
	r.scratch = append(r.scratch, b...)
	return bstr(r.scratch[start:len(r.scratch):len(r.scratch)])
}

// parseHostAddr parses an address that may carry a port or IPv6 brackets
// ("192.0.2.1", "192.0.2.1:443", "[2001:db8::1]:443", "::1%0"). It
// chooses the parser by the text's shape, so that a valid address is
// parsed once and without allocating (a failed netip parse allocates its
// error).
func parseHostAddr(s string) (netip.Addr, bool) {
	if len(s) > 2 && s[0] == '[' {
		if s[len(s)-1] == ']' {
			a, err := netip.ParseAddr(s[1 : len(s)-1])
			return a.Unmap(), err == nil
		}
		ap, err := netip.ParseAddrPort(s)
		return ap.Addr().Unmap(), err == nil
	}
	colons := 0
	for i := 0; i < len(s) && colons < 2; i++ {
		if s[i] == ':' {
			colons++
		}
	}
	if colons == 1 { // IPv4 with a port; an IPv6 address has two or more
		ap, err := netip.ParseAddrPort(s)
		return ap.Addr().Unmap(), err == nil
	}
	a, err := netip.ParseAddr(s)
	return a.Unmap(), err == nil
}
