package parquetout

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// Record is a logparse.Record as a row: the columns of "forensics parse",
// in JSON lines and in Parquet alike.
//
// Nullable columns are null when the log does not carry the value: time
// (no timestamp logged), client (no address or host), status (0 or "-"),
// the byte counts and duration_ms (logparse.NotLogged), server_port (0).
// Other text columns are "" when empty. In text that is not valid UTF-8
// each run of bad bytes is replaced by U+FFFD (JSON and Parquet strings
// must be UTF-8); the line and offset columns lead back to the original
// bytes.
type Record struct {
	// Time is RFC 3339 with the offset the log gives (UTC for UTC
	// formats), with fractional seconds when logged.
	Time         *string           `json:"time" parquet:"time,optional"`
	Client       *string           `json:"client" parquet:"client,optional"`
	ForwardedFor string            `json:"forwarded_for" parquet:"forwarded_for"`
	Ident        string            `json:"ident" parquet:"ident"`
	User         string            `json:"user" parquet:"user"`
	Method       string            `json:"method" parquet:"method"`
	Target       string            `json:"target" parquet:"target"`
	Path         string            `json:"path" parquet:"path"`
	Query        string            `json:"query" parquet:"query"`
	Protocol     string            `json:"protocol" parquet:"protocol"`
	Status       *int32            `json:"status" parquet:"status,optional"`
	BodyBytes    *int64            `json:"body_bytes" parquet:"body_bytes,optional"`
	WireBytes    *int64            `json:"wire_bytes" parquet:"wire_bytes,optional"`
	RequestBytes *int64            `json:"request_bytes" parquet:"request_bytes,optional"`
	Range        string            `json:"range" parquet:"range"`
	ContentRange string            `json:"content_range" parquet:"content_range"`
	VHost        string            `json:"vhost" parquet:"vhost"`
	ServerPort   *int32            `json:"server_port" parquet:"server_port,optional"`
	Referer      string            `json:"referer" parquet:"referer"`
	UserAgent    string            `json:"user_agent" parquet:"user_agent"`
	DurationMS   *float64          `json:"duration_ms" parquet:"duration_ms,optional"`
	Completion   string            `json:"completion" parquet:"completion"`
	Extra        map[string]string `json:"extra" parquet:"extra"`
	Source       string            `json:"source" parquet:"source"`
	Line         int64             `json:"line" parquet:"line"`
	Offset       int64             `json:"offset" parquet:"offset"`
}

// RecordColumns documents the columns of Record, in order, for the README
// and --help.
const RecordColumns = `time           text     RFC 3339 with the logged offset; null when not logged
client         text     client address (or host name) as logged; null when absent
forwarded_for  text     X-Forwarded-For chain as logged
ident, user    text     %l and %u ("-" reads as "")
method         text     request method
target         text     request target as logged (escapes and query included)
path           text     target's path, percent-decoded
query          text     raw query without "?"
protocol       text     e.g. HTTP/1.1
status         int32    final status; null when not logged
body_bytes     int64    body bytes sent (%b, $body_bytes_sent); null when not logged
wire_bytes     int64    bytes sent with headers (%O, $bytes_sent, IIS sc-bytes); null when not logged
request_bytes  int64    bytes received (%I, $request_length, cs-bytes); null when not logged
range          text     Range request header, when logged
content_range  text     Content-Range response header, when logged
vhost          text     virtual host
server_port    int32    server port; null when not logged
referer        text     Referer header
user_agent     text     User-Agent header
duration_ms    double   time to serve the request in milliseconds; null when not logged
completion     text     complete, aborted or not-logged
extra          map      every other logged field by its format's name
source         text     input name
line           int64    1-based line number in the input
offset         int64    byte offset of the line in the decompressed input`

var emptyExtra = map[string]string{}

// NewRecord converts rec. The result does not alias rec: it stays valid
// after the reader's next Read.
func NewRecord(rec *logparse.Record) Record {
	out := Record{
		ForwardedFor: text(rec.ForwardedFor),
		Ident:        text(rec.Ident),
		User:         text(rec.User),
		Method:       text(rec.Method),
		Target:       text(rec.Target),
		Path:         text(rec.Path),
		Query:        text(rec.Query),
		Protocol:     text(rec.Protocol),
		Range:        text(rec.Range),
		ContentRange: text(rec.ContentRange),
		VHost:        text(rec.VHost),
		Referer:      text(rec.Referer),
		UserAgent:    text(rec.UserAgent),
		Completion:   rec.Completion.String(),
		Source:       text(rec.Source),
		Line:         rec.Line,
		Offset:       rec.Offset,
		Extra:        emptyExtra,
	}
	if !rec.Time.IsZero() {
		s := rec.Time.Format(time.RFC3339Nano)
		out.Time = &s
	}
	if rec.Client.IsValid() {
		s := rec.Client.String()
		out.Client = &s
	} else if rec.ClientHost != "" {
		s := text(rec.ClientHost)
		out.Client = &s
	}
	if rec.Status != 0 {
		s := int32(rec.Status)
		out.Status = &s
	}
	out.BodyBytes = count(rec.BodyBytes)
	out.WireBytes = count(rec.WireBytes)
	out.RequestBytes = count(rec.RequestBytes)
	if rec.ServerPort != 0 {
		p := int32(rec.ServerPort)
		out.ServerPort = &p
	}
	if rec.Duration != logparse.NotLogged {
		ms := float64(rec.Duration) / float64(time.Millisecond)
		out.DurationMS = &ms
	}
	if len(rec.Extra) > 0 {
		out.Extra = make(map[string]string, len(rec.Extra))
		for _, f := range rec.Extra {
			out.Extra[text(f.Name)] = text(f.Value)
		}
	}
	return out
}

func count(n int64) *int64 {
	if n == logparse.NotLogged {
		return nil
	}
	return &n
}

// text returns a copy of s that is valid UTF-8 (ValidText).
func text(s string) string { return ValidText(s) }

// ValidText returns a copy of s that is valid UTF-8, invalid bytes
// replaced by U+FFFD: Parquet strings must be UTF-8, and a copy outlives
// the reader's reused record.
func ValidText(s string) string {
	if s == "" {
		return ""
	}
	if !utf8.ValidString(s) {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Clone(s)
}
