package logparse

import (
	"bytes"
	"strconv"
)

// S3Format is the Amazon S3 server access log. Its name is "s3".
//
// Each line holds space-separated fields in a fixed order, with the time
// in brackets and the request line, referrer and user agent in quotes;
// "-" means unknown or not applicable. S3 does not escape quotes inside
// the quoted values: a quoted value ends at a quote followed by a space,
// and the user agent, after which no field is quoted, at the line's last
// quote.
//
//	bucket-owner bucket [time] remote-ip requester request-id operation key
//	"request-uri" http-status error-code bytes-sent object-size total-time
//	turn-around-time "referer" "user-agent" version-id host-id
//	signature-version cipher-suite authentication-type host-header
//	tls-version access-point-arn acl-required source-region
//
// AWS appends fields over time: a line must hold at least the fields up to
// the user agent (older logs end there or at version-id), and fields after
// source-region are kept in Extra as "field27", "field28" and so on.
//
// Fields map to Record fields as follows; the others are kept in Extra
// under the names above (bucket, operation, key, error-code, object-size,
// turn-around-time, ...):
//
//	time                 Time (UTC, as logged: [06/Feb/2019:00:00:38 +0000])
//	remote-ip            Client; must be an address or "-"
//	requester            User (canonical user ID or IAM ARN)
//	request-uri          Method, Target, Path, Query, Protocol
//	http-status          Status
//	bytes-sent           BodyBytes ("-" is zero, as AWS documents)
//	total-time           Duration, in milliseconds
//	referer, user-agent  Referer, UserAgent
//	host-header          VHost
//
// The object-size field is the size of the whole object, which with
// bytes-sent shows whether a GET delivered all of it.
type S3Format struct{}

// Name returns "s3".
func (S3Format) Name() string { return "s3" }

// NewParser returns a parser for S3 server access logs.
func (S3Format) NewParser() Parser { return &s3Parser{} }

// Splittable reports true: each line stands alone.
func (S3Format) Splittable() bool { return true }

func init() {
	register("s3", func() Format { return S3Format{} })
}

var s3Names = [...]string{
	"bucket-owner", "bucket", "time", "remote-ip", "requester", "request-id",
	"operation", "key", "request-uri", "http-status", "error-code",
	"bytes-sent", "object-size", "total-time", "turn-around-time", "referer",
	"user-agent", "version-id", "host-id", "signature-version",
	"cipher-suite", "authentication-type", "host-header", "tls-version",
	"access-point-arn", "acl-required", "source-region",
}

const (
	s3Time       = 2
	s3RemoteIP   = 3
	s3Requester  = 4
	s3RequestURI = 8
	s3Status     = 9
	s3BytesSent  = 11
	s3TotalTime  = 13
	s3Referer    = 15
	s3UserAgent  = 16
	s3HostHeader = 22
	s3MinFields  = s3UserAgent + 1
)

type s3Parser struct {
	zones zoneCache
	extra []string
}

func (p *s3Parser) name(i int) string {
	if i < len(s3Names) {
		return s3Names[i]
	}
	for len(p.extra) <= i-len(s3Names) {
		p.extra = append(p.extra, "field"+strconv.Itoa(len(s3Names)+len(p.extra)+1))
	}
	return p.extra[i-len(s3Names)]
}

func (p *s3Parser) Parse(line []byte, rec *Record) error {
	if isBlank(line) {
		return ErrSkip
	}
	i, n := 0, 0
	for i < len(line) {
		if line[i] == ' ' {
			i++ // tolerate a trailing or doubled space
			continue
		}
		start, end := i, 0
		switch line[i] {
		case '[':
			j := indexByte(line[i:], ']')
			if j < 0 {
				return errAt(i, ErrTimestamp)
			}
			start, end, i = i+1, i+j, i+j+1
		case '"':
			j := closingQuote(line, i+1)
			if n == s3UserAgent {
				// No later field holds a quote: a quote inside the user
				// agent (S3 does not escape it) ends at the last one.
				j = bytes.LastIndexByte(line, '"')
			}
			if j <= i {
				return errAt(i, ErrQuote)
			}
			start, end, i = i+1, j, j+1
		default:
			for i < len(line) && line[i] != ' ' {
				i++
			}
			end = i
		}
		if i < len(line) && line[i] != ' ' {
			return errAt(i, ErrQuote)
		}
		if err := p.field(rec, n, line[start:end], start); err != nil {
			return err
		}
		n++
	}
	if n < s3MinFields {
		return errAt(len(line), ErrFieldCount)
	}
	return nil
}

// closingQuote returns the index of the quote that ends a value opened
// before from: the next quote followed by a space or the end of the line.
func closingQuote(line []byte, from int) int {
	for j := from; j < len(line); j++ {
		if line[j] == '"' && (j+1 == len(line) || line[j+1] == ' ') {
			return j
		}
	}
	return -1
}

func (p *s3Parser) field(rec *Record, n int, v []byte, col int) error {
	if n == s3Time {
		t, ok := parseCLFTime(v, &p.zones)
		if !ok {
			return errAt(col, ErrTimestamp)
		}
		rec.Time = t
		return nil
	}
	if n == s3RequestURI {
		if !setRequestLine(rec, v) {
			return errAt(col, ErrRequestLine)
		}
		return nil
	}
	dashed := len(v) == 1 && v[0] == '-'
	switch n {
	case s3RemoteIP:
		if !dashed {
			a, ok := parseAddr(v)
			if !ok {
				return errAt(col, ErrAddress)
			}
			rec.Client = a
		}
	case s3Requester:
		rec.User = dash(v)
	case s3Status:
		if !dashed {
			st, ok := parseStatus(v)
			if !ok {
				return errAt(col, ErrStatus)
			}
			rec.Status = st
		}
	case s3BytesSent:
		if dashed {
			rec.BodyBytes = 0
			return nil
		}
		b, ok := parseInt64(v)
		if !ok {
			return errAt(col, ErrNumber)
		}
		rec.BodyBytes = b
	case s3TotalTime:
		if !dashed {
			ms, ok := parseInt64(v)
			d, ok2 := millis(ms)
			if !ok || !ok2 {
				return errAt(col, ErrNumber)
			}
			rec.Duration = d
		}
	case s3Referer:
		rec.Referer = dash(v)
	case s3UserAgent:
		rec.UserAgent = dash(v)
	case s3HostHeader:
		rec.VHost = dash(v)
	default:
		if !dashed && len(v) > 0 {
			rec.addExtra(p.name(n), bstr(v))
		}
	}
	return nil
}
