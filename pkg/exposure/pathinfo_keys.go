package exposure

import (
	"github.com/forensiclog/forensics/pkg/logparse"
)

// PathInfoKeys returns, shortest first, the keys (RequestKey's form) of
// the paths MatchPathInfo tries for a request path: each proper prefix
// ending at a segment boundary. The recording a request names through
// path info is the recording with the shortest of these keys; a tool
// that holds the index elsewhere (the request dataset and its SQL) finds
// it with them.
func PathInfoKeys(requestPath string, m PathMapper) []string {
	p := NormalizePath(requestPath, PathMapper{})
	var keys []string
	for i := 1; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		if k, ok := RequestKey(p[:i], m); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// PathInfoSizes returns the file sizes for which a request that names a
// recording only through path info or a trailing slash got the
// recording, as the engine decides it: a size s with lo <= s and, when
// hi >= 0, s <= hi. ok is false when no size fits (not a GET or POST
// answered 200 or 206, no byte count, a Content-Range that does not
// parse).
func PathInfoSizes(rec *logparse.Record, headerBytes int64) (lo, hi int64, ok bool) {
	if headerBytes == 0 {
		headerBytes = DefaultHeaderBytes
	}
	if rec.Method != "GET" && rec.Method != "POST" || rec.Status != 200 && rec.Status != 206 {
		return 0, 0, false
	}
	var min, max int64 // the body the count allows
	switch {
	case rec.BodyBytes != logparse.NotLogged:
		min, max = rec.BodyBytes, rec.BodyBytes
	case rec.WireBytes != logparse.NotLogged:
		min, max = rec.WireBytes-pathInfoHeaderSlack, rec.WireBytes-headerBytes
	default:
		return 0, 0, false
	}
	if max <= 0 {
		return 0, 0, false
	}
	lo, hi = 1, -1
	if min > lo {
		lo = min
	}
	if rec.Status == 200 {
		if rec.Completion != logparse.CompletionAborted {
			hi = max
		}
		return lo, hi, lo <= hi || hi < 0
	}
	if rec.ContentRange != "" {
		sp, total, ok := parseContentRange(rec.ContentRange)
		if !ok {
			return 0, 0, false
		}
		if sp.End > lo {
			lo = sp.End
		}
		if total >= 0 {
			if total < lo {
				return 0, 0, false
			}
			lo, hi = total, total
		}
	}
	return lo, hi, true
}
