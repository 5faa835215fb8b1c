package parquetout

import (
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// AppendJSON appends rec as one JSON object with the columns of Record,
// and a newline. The output is the same as encoding/json's for
// NewRecord(rec) with HTML escaping off, but it neither allocates nor
// copies rec's strings, so it may be used with a reader's ReuseRecord.
func AppendJSON(b []byte, rec *logparse.Record) []byte {
	b = append(b, `{"time":`...)
	if rec.Time.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = rec.Time.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	b = append(b, `,"client":`...)
	switch {
	case rec.Client.IsValid():
		b = append(b, '"')
		b = rec.Client.AppendTo(b)
		b = append(b, '"')
	case rec.ClientHost != "":
		b = appendString(b, rec.ClientHost)
	default:
		b = append(b, "null"...)
	}
	b = appendField(b, "forwarded_for", rec.ForwardedFor)
	b = appendField(b, "ident", rec.Ident)
	b = appendField(b, "user", rec.User)
	b = appendField(b, "method", rec.Method)
	b = appendField(b, "target", rec.Target)
	b = appendField(b, "path", rec.Path)
	b = appendField(b, "query", rec.Query)
	b = appendField(b, "protocol", rec.Protocol)
	b = append(b, `,"status":`...)
	if rec.Status != 0 {
		b = strconv.AppendInt(b, int64(int32(rec.Status)), 10)
	} else {
		b = append(b, "null"...)
	}
	b = appendCount(b, "body_bytes", rec.BodyBytes)
	b = appendCount(b, "wire_bytes", rec.WireBytes)
	b = appendCount(b, "request_bytes", rec.RequestBytes)
	b = appendField(b, "range", rec.Range)
	b = appendField(b, "content_range", rec.ContentRange)
	b = appendField(b, "vhost", rec.VHost)
	b = append(b, `,"server_port":`...)
	if rec.ServerPort != 0 {
		b = strconv.AppendInt(b, int64(int32(rec.ServerPort)), 10)
	} else {
		b = append(b, "null"...)
	}
	b = appendField(b, "referer", rec.Referer)
	b = appendField(b, "user_agent", rec.UserAgent)
	b = append(b, `,"duration_ms":`...)
	if rec.Duration != logparse.NotLogged {
		b = appendFloat(b, float64(rec.Duration)/float64(time.Millisecond))
	} else {
		b = append(b, "null"...)
	}
	b = appendField(b, "completion", rec.Completion.String())
	b = append(b, `,"extra":{`...)
	b = appendExtra(b, rec.Extra)
	b = append(b, '}')
	b = appendField(b, "source", rec.Source)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, rec.Line, 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, rec.Offset, 10)
	return append(b, "}\n"...)
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

func appendCount(b []byte, name string, n int64) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	if n == logparse.NotLogged {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, n, 10)
}

// appendFloat formats f as encoding/json does.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 -> e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendExtra writes the extra fields as object members sorted by name;
// of fields with the same name the last wins (as in NewRecord's map).
func appendExtra(b []byte, extra []logparse.Field) []byte {
	if len(extra) == 0 {
		return b
	}
	var idx [16]int
	order := idx[:0]
	for i := range extra {
		order = append(order, i)
	}
	// Names are compared after the UTF-8 repair NewRecord makes, so that
	// the order is the one encoding/json gives the map's keys; names are
	// valid UTF-8 in practice, and then this is a plain comparison.
	slices.SortStableFunc(order, func(i, j int) int { return compareRepaired(extra[i].Name, extra[j].Name) })
	first := true
	for k, i := range order {
		if k+1 < len(order) && compareRepaired(extra[order[k+1]].Name, extra[i].Name) == 0 {
			continue // a later field of the same name wins
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, extra[i].Name)
		b = append(b, ':')
		b = appendString(b, extra[i].Value)
	}
	return b
}

func compareRepaired(a, b string) int {
	if utf8.ValidString(a) && utf8.ValidString(b) {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	ra, rb := text(a), text(b)
	switch {
	case ra < rb:
		return -1
	case ra > rb:
		return 1
	}
	return 0
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string the way encoding/json writes
// text(s) with HTML escaping off: each run of invalid UTF-8 becomes one
// U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			// One replacement for the whole run of bad bytes.
			for i < len(s) {
				if r, size := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || size != 1 {
					break
				}
				i++
			}
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
