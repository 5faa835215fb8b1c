package exposure

import (
	"strings"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// Uncertainty flags: why a delivered byte count or range is not exact.
// They are kept per recording and actor and written to the outputs so that
// a reader sees which verdicts rest on estimates.
type Uncertainty uint16

const (
	// WireBytes: only bytes on the wire (headers included) were logged;
	// the body size was estimated by subtracting Options.HeaderBytes.
	UncertainWireBytes Uncertainty = 1 << iota
	// RangeUnknown: a 206 response whose range was not logged; its bytes
	// are counted but their position in the file is unknown.
	UncertainRangeUnknown
	// Aborted: the server logged the connection as aborted; the logged
	// count is what it sent, not what the client kept.
	UncertainAborted
	// BytesNotLogged: the format logs no byte count; a 200 is taken as
	// delivering the whole file.
	UncertainBytesNotLogged
	// SizeUnknown: the index gives no size, so "full" cannot be checked.
	UncertainSizeUnknown
	// Multipart: a multi-range request; the logged count includes part
	// headers.
	UncertainMultipart
	// CompletionUnknown: the logged count and completion may say more
	// than the client received. Either the delivery reaches the file's
	// end in a format that logs no completion state (%X,
	// $request_completion), and some servers log the length they meant to
	// send (Apache's %b) also when the client went away; or the request
	// came over HTTP/2 or HTTP/3, where a stream the client cancels is
	// logged as the server wrote it, complete (nginx logs "OK" for a
	// stream Chromium dropped at 83%).
	UncertainCompletionUnknown
	// ListingUnknown: the name was in a folder only filtered or paged
	// listings showed (Apache ?P=, Caddy ?limit=), and the log does not
	// tell whether this page showed it (the server, a sort chosen by a
	// cookie, files the index does not list). See ListingView.
	UncertainListingUnknown
)

var uncertaintyNames = []string{"wire_bytes", "range_unknown", "aborted", "bytes_not_logged", "size_unknown", "multipart", "completion_unknown", "listing_unknown"}

// Strings returns the names of the set flags, in a fixed order.
func (u Uncertainty) Strings() []string {
	var out []string
	for i, n := range uncertaintyNames {
		if u&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// String returns the names of the set flags joined by commas, in the
// order of Strings ("" for none): the form of the outputs' uncertain
// columns.
func (u Uncertainty) String() string {
	if int(u) < len(uncertaintyJoined) {
		return uncertaintyJoined[u]
	}
	return strings.Join(u.Strings(), ",")
}

// uncertaintyJoined holds String of every set of the known flags, so that
// the millions of rows of an incident share a few strings.
var uncertaintyJoined = func() []string {
	t := make([]string, 1<<len(uncertaintyNames))
	for u := range t {
		t[u] = strings.Join(Uncertainty(u).Strings(), ",")
	}
	return t
}()

// deliveryKind is what one response gave the client.
type deliveryKind uint8

const (
	deliverNothing  deliveryKind = iota // error, redirect, other method
	deliverMetadata                     // HEAD, 304, 416, 200 without a body
	deliverContent                      // audio bytes
)

// delivery is the verdict on one request for a recording.
type delivery struct {
	kind      deliveryKind
	span      span  // bytes delivered, when the position is known
	spanKnown bool  // span holds the delivered bytes
	extra     int64 // bytes delivered at an unknown position
	unc       Uncertainty
	prior     bool // a 304: the client already held a copy
}

// classify decides what a request delivered of a file of the given size
// (size <= 0: unknown). See the README's rules. It is ClassifyRequest's
// reading of the request resolved against the size: one set of rules for
// the engine and for the request dataset's SQL.
func classify(rec *logparse.Record, size, headerBytes int64, scratch []byteRange) delivery {
	return describe(rec, headerBytes, scratch).resolve(size)
}

// multiplexed reports whether a logged protocol is HTTP/2 or HTTP/3
// ("HTTP/2.0", "HTTP/2", "HTTP/3.0", also the ALPN names "h2", "h2c",
// "h3"), where one connection carries many streams and a server logs what
// it wrote into a stream, complete, even when the client reset it.
func multiplexed(proto string) bool {
	if len(proto) >= 6 && strings.EqualFold(proto[:5], "HTTP/") {
		v := proto[5:]
		return (v[0] == '2' || v[0] == '3') && (len(v) == 1 || v[1] == '.')
	}
	switch proto {
	case "h2", "h2c", "h3", "H2", "H2C", "H3":
		return true
	}
	return false
}

// describe reads what a request delivered as far as the log tells without
// the file's size; resolve completes it with the size.
func describe(rec *logparse.Record, headerBytes int64, scratch []byteRange) RequestDelivery {
	d := RequestDelivery{Body: -1, First: -1, Last: -1}
	switch rec.Status {
	case 304:
		d.Kind, d.PriorCopy = DeliveryMetadata, true
		return d
	case 416:
		// Range Not Satisfiable tells the client, as HEAD does, that the
		// file exists, and with "Content-Range: bytes */SIZE" (nginx,
		// Caddy; not Apache 2.4 or lighttpd) how large it is. The body,
		// if any, is the server's error page.
		switch rec.Method {
		case "GET", "HEAD", "POST":
			d.Kind = DeliveryMetadata
		}
		return d
	case 200, 206:
	default:
		return d
	}
	switch rec.Method {
	case "HEAD":
		d.Kind = DeliveryMetadata
		return d
	case "GET", "POST":
	default:
		return d
	}
	d.Status = int16(rec.Status)
	body := rec.BodyBytes
	if body == logparse.NotLogged {
		if rec.WireBytes != logparse.NotLogged {
			body = max(rec.WireBytes-headerBytes, 0)
			d.Uncertain |= UncertainWireBytes
		} else {
			// No count at all: resolve takes a 200 as the whole file.
			d.Uncertain |= UncertainBytesNotLogged
		}
	}
	if rec.Completion == logparse.CompletionAborted {
		d.Aborted = true
		d.Uncertain |= UncertainAborted
		// Apache logs %b as the length it meant to send, also when the
		// client went away; %O counts what went out. Believe the smaller.
		if rec.WireBytes != logparse.NotLogged && rec.BodyBytes != logparse.NotLogged {
			body = min(body, max(rec.WireBytes-headerBytes, 0))
		}
	}
	d.CompletionLogged = rec.Completion != logparse.CompletionNotLogged
	if body != logparse.NotLogged && body <= 0 {
		// Headers only: the file's existence and length, no audio.
		d.Kind = DeliveryMetadata
		return d
	}
	d.Kind = DeliveryContent
	if body != logparse.NotLogged {
		d.Body = body
	}
	if multiplexed(rec.Protocol) {
		// A stream the client cancels is logged as the server wrote it:
		// the count and the completion say what went into the
		// connection, not what the client received. The level stays as
		// counted; the flag says so.
		d.Uncertain |= UncertainCompletionUnknown
	}
	if rec.Status != 206 {
		return d
	}
	if rec.ContentRange != "" {
		if sp, _, ok := parseContentRange(rec.ContentRange); ok {
			d.Range, d.First, d.Last = RangeContent, sp.Start, sp.End-1
			return d
		}
	}
	if ranges := parseRangeHeader(rec.Range, scratch); len(ranges) == 1 {
		d.Range, d.First, d.Last, d.Suffix = RangeRequested, ranges[0].first, ranges[0].last, ranges[0].suffix
	} else if len(ranges) > 1 {
		// multipart/byteranges: the parts' union, at most what was sent.
		d.Range = RangeMultipart
		d.Uncertain |= UncertainMultipart
	}
	return d
}

// resolve completes a request's reading with the size of the file it
// delivered (size <= 0: unknown). The request dataset's SQL does the same
// (sql/ and its tests hold the two equal).
func (q RequestDelivery) resolve(size int64) delivery {
	d := delivery{kind: deliveryKind(q.Kind), prior: q.PriorCopy, unc: q.Uncertain}
	if q.Status != 0 && size <= 0 {
		d.unc |= UncertainSizeUnknown
	}
	if q.Kind != DeliveryContent {
		return d
	}
	body := q.Body
	if body < 0 {
		if q.Status == 200 && size > 0 {
			body = size // no count at all: a 200 is taken as the whole file
		} else {
			body = 1 // something, at an unknown place
			d.unc |= UncertainRangeUnknown
		}
	}
	aborted := q.Aborted
	switch {
	case q.Status == 200:
		end := body
		if size > 0 && end > size {
			end = size
		}
		d.span, d.spanKnown = notLast(span{0, end}, size, aborted), true
	case q.Range == RangeContent:
		d.span, d.spanKnown = notLast(clip(span{q.First, q.Last + 1}, body, size), size, aborted), true
	case q.Range == RangeMultipart:
		d.extra = body
	default:
		if q.Range == RangeRequested {
			if sp, ok := (byteRange{q.First, q.Last, q.Suffix}).resolve(size); ok {
				d.span, d.spanKnown = notLast(clip(sp, body, size), size, aborted), true
				break
			}
		}
		if size > 0 && body >= size {
			// Only the whole file fits the count: bytes=0- or no Range at all.
			d.span, d.spanKnown = notLast(span{0, size}, size, aborted), true
			break
		}
		d.unc |= UncertainRangeUnknown
		d.extra = body
	}
	if !q.CompletionLogged && (size <= 0 || d.spanKnown && d.span.End >= size || d.extra >= size) {
		d.unc |= UncertainCompletionUnknown
	}
	return d
}

// clip limits a requested span to the bytes actually sent and to the file.
func clip(sp span, body, size int64) span {
	if sp.End < 0 || sp.End-sp.Start > body {
		sp.End = sp.Start + body
	}
	if size > 0 && sp.End > size {
		sp.End = size
	}
	return sp
}

// notLast keeps an aborted transfer from claiming a file's last byte: the
// server says it gave up, so the client did not get everything.
func notLast(sp span, size int64, aborted bool) span {
	if aborted && size > 0 && sp.End >= size {
		sp.End = size - 1
	}
	return sp
}
