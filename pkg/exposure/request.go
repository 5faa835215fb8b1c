package exposure

import (
	"net/netip"
	"strings"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// This file holds the engine's reading of one request on its own, before
// it is matched against an index: the path key, whether it is a directory
// listing, who the actor is and what it delivered. The engine uses these
// functions, and so does the request dataset ("forensics parse
// --dataset"), so that SQL over the dataset matches and decides as the
// engine does.

// DeliveryKind is what one response gave the client.
type DeliveryKind uint8

// Delivery kinds, in increasing order.
const (
	DeliveryNone     DeliveryKind = iota // an error, a redirect, another method
	DeliveryMetadata                     // HEAD, 304, 416, a 200 without a body: the file exists
	DeliveryContent                      // audio bytes
)

var deliveryKindNames = [...]string{"none", "metadata", "content"}

// String returns "none", "metadata" or "content".
func (k DeliveryKind) String() string {
	if int(k) < len(deliveryKindNames) {
		return deliveryKindNames[k]
	}
	return "none"
}

// RangeSource says where a 206 response's byte range was read from.
type RangeSource uint8

// Range sources.
const (
	RangeNone      RangeSource = iota // no range logged (or a 200)
	RangeContent                      // the Content-Range response header: the bytes sent
	RangeRequested                    // a single range of the Range request header
	RangeMultipart                    // several ranges: a multipart/byteranges answer
)

var rangeSourceNames = [...]string{"", "content_range", "range", "multipart"}

// String returns "", "content_range", "range" or "multipart".
func (r RangeSource) String() string {
	if int(r) < len(rangeSourceNames) {
		return rangeSourceNames[r]
	}
	return ""
}

// RequestDelivery is what one request delivered as far as the log tells
// without the size of the file it named: the engine completes it with the
// recording's size (see the README's rules, and sql/ for the same
// completion in SQL).
type RequestDelivery struct {
	// Kind is what the response gave the client. It does not depend on
	// the size.
	Kind DeliveryKind
	// PriorCopy: a 304, the client held a copy before.
	PriorCopy bool
	// Status is 200 or 206 for a GET or POST answered with bytes or
	// headers, else 0: only these are measured against the file's size.
	Status int16
	// Body is the body bytes believed sent: the logged body count, or
	// wire bytes less the header estimate (flag UncertainWireBytes), the
	// smaller of both when the transfer was aborted. -1 when no count was
	// logged (flag UncertainBytesNotLogged): then a 200 counts as the
	// whole file and a 206 as a byte at an unknown place.
	Body int64
	// Range, First, Last and Suffix give a 206's bytes where the log
	// tells: bytes First to Last inclusive (Last -1: to the end of the
	// file), or with Suffix > 0 the last Suffix bytes (First and Last
	// -1). They are -1 and 0 when Range is RangeNone or RangeMultipart.
	Range       RangeSource
	First, Last int64
	Suffix      int64
	// Aborted: the server logged the connection as aborted; the last
	// byte of the file is never counted delivered.
	Aborted bool
	// CompletionLogged: the log says whether the transfer completed.
	// Without it, a delivery reaching the file's end is flagged
	// UncertainCompletionUnknown.
	CompletionLogged bool
	// Uncertain holds the flags known without the size: wire_bytes,
	// bytes_not_logged, aborted, multipart, and completion_unknown for
	// HTTP/2 and HTTP/3. The size adds size_unknown, range_unknown and
	// completion_unknown.
	Uncertain Uncertainty
}

// ClassifyRequest reads what a request delivered, as the engine does for
// every request that names a recording, with headerBytes subtracted from
// a wire byte count (0 means DefaultHeaderBytes).
func ClassifyRequest(rec *logparse.Record, headerBytes int64) RequestDelivery {
	if headerBytes == 0 {
		headerBytes = DefaultHeaderBytes
	}
	var scratch [4]byteRange
	return describe(rec, headerBytes, scratch[:0])
}

// RequestKey returns the key under which Index.Match looks a request path
// up in an index loaded with the PathMapper m: the path normalised as
// NormalizePath does, case folded with m.FoldCase, and m.StripPrefix
// replaced by m.AddPrefix. Index.Key gives a recording's key in the same
// form, so the two can be joined as text. ok is false for a path outside a
// set StripPrefix, which names no recording.
func RequestKey(requestPath string, m PathMapper) (key string, ok bool) {
	strip, add := mapperPrefixes(m)
	a, b, ok := mapRequestPath(requestPath, m.FoldCase, strip, add)
	if !ok {
		return "", false
	}
	return a + b, true
}

// FolderKey returns the folder key (Index.FolderPath's form: a trailing
// slash, "/" for the root) that a listing of the request key lists.
func FolderKey(requestKey string) string {
	return strings.TrimSuffix(requestKey, "/") + "/"
}

// IsListing reports whether rec is a successful directory listing, as the
// engine counts it when its path names a folder of the index: a GET or
// POST answered 200 with a body (with only wire bytes logged, more than
// headerBytes; 0 means DefaultHeaderBytes), for a path and query that ask
// for a listing (IsListingRequest).
func IsListing(rec *logparse.Record, headerBytes int64) bool {
	if headerBytes == 0 {
		headerBytes = DefaultHeaderBytes
	}
	if rec.Method != "GET" && rec.Method != "POST" || rec.Status != 200 {
		return false
	}
	if rec.BodyBytes == 0 || (rec.BodyBytes == logparse.NotLogged && rec.WireBytes != logparse.NotLogged && rec.WireBytes <= headerBytes) {
		return false
	}
	return IsListingRequest(rec.Path, rec.Query)
}

// ListingFiltered reports whether a listing's query may show less than
// the whole folder (Apache's ?P= pattern, Caddy's ?limit= and ?offset=):
// the engine then decides entry by entry what the page showed (see
// ListingView), where an unfiltered listing shows every file.
func ListingFiltered(query string) bool {
	if query == "" {
		return false
	}
	v := ParseListingView(query)
	return v.Pattern != "" || v.Offset > 0 || v.Limit > 0
}

// ActorAddress returns the client a request came from, as the engine
// keys actors by it: the logged address, or with trusted proxies the
// address X-Forwarded-For gives (see ClientResolver), as text; the logged
// host name when there is no address.
func ActorAddress(rec *logparse.Record, proxies ClientResolver) string {
	var buf [8]netip.Addr
	addr, _ := clientAddr(rec, proxies, buf[:0])
	if !addr.IsValid() {
		return rec.ClientHost
	}
	return addr.String()
}

// clientAddr resolves a record's client through trusted proxies; xff is
// scratch space, returned grown for the next call.
func clientAddr(rec *logparse.Record, proxies ClientResolver, xff []netip.Addr) (netip.Addr, []netip.Addr) {
	addr := rec.Client
	if rec.ForwardedFor != "" && len(proxies.Trusted) > 0 {
		xff = appendForwarded(xff, rec.ForwardedFor)
		addr = proxies.Client(addr, xff)
	}
	return addr, xff
}

// mapperPrefixes returns m's prefixes as the index applies them:
// normalised, case folded with FoldCase, without a trailing slash.
func mapperPrefixes(m PathMapper) (strip, add string) {
	if m.StripPrefix == "" && m.AddPrefix == "" {
		return "", ""
	}
	strip, add = normalizeBase(m.StripPrefix), normalizeBase(m.AddPrefix)
	if m.FoldCase {
		strip, add = foldPath(strip), foldPath(add)
	}
	return strings.TrimSuffix(strip, "/"), strings.TrimSuffix(add, "/")
}

// mapRequestPath normalises a request path and maps it into the index's
// space: the key is a+b. A path outside a set strip prefix names no
// recording: false.
func mapRequestPath(p string, fold bool, strip, add string) (a, b string, ok bool) {
	p = normalizeBase(p)
	if fold {
		p = foldPath(p)
	}
	if strip == "" && add == "" {
		return "", p, true
	}
	if !hasPathPrefix(p, strip) {
		return "", "", false
	}
	rest := p[len(strip):]
	if rest == "" {
		rest = "/"
	}
	return add, rest, true
}
