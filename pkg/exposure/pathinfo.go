package exposure

import (
	"github.com/forensiclog/forensics/pkg/logparse"
)

// MatchPathInfo finds the recording a request names with something after
// the recording's file name: path info ("/r/x.wav/extra.mp3", answered
// with x.wav by Apache with AcceptPathInfo On and by lighttpd) or a
// trailing slash ("/r/x.wav/", answered with the file by lighttpd). It
// returns the recording whose path (mapped as in Match) is a proper
// prefix of the request path ending at a segment boundary; when several
// are, the shortest, as a server walking the path from the root stops at
// the first file. A path that Match finds is not path info: call Match
// first.
//
// Whether the response was the recording is another question: a server
// without path info answers such a request 404, or with a script's or an
// error page's output. The engine counts it as a delivery of the
// recording only when the status and byte count fit the file (see the
// README's rules).
func (ix *Index) MatchPathInfo(requestPath string) (int, bool) {
	p := NormalizePath(requestPath, PathMapper{})
	for i := 1; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		if idx, ok := ix.Match(p[:i]); ok {
			return idx, true
		}
	}
	return 0, false
}

// pathInfoHeaderSlack bounds the response headers of a file served in
// answer to path info, when only bytes on the wire were logged: a static
// file's headers run 200 to 350 bytes, a few cookies from a proxy add
// some hundreds.
const pathInfoHeaderSlack = 2048

// pathInfoDelivery reports whether a request that named a recording of
// the given size only through path info or a trailing slash got the
// recording: a GET (or POST) answered 200 with exactly the file's length
// (with only wire bytes logged: the file's length plus headers between
// headerBytes and pathInfoHeaderSlack; an aborted 200 at most the file's
// length), or 206 with at most the file's length and, where logged, a
// Content-Range inside the file. Anything else (404, a script's output, an
// error page, a size that does not fit, no byte count at all) is not a
// delivery of the recording.
func pathInfoDelivery(rec *logparse.Record, size, headerBytes int64) bool {
	if size <= 0 {
		return false
	}
	lo, hi, ok := PathInfoSizes(rec, headerBytes)
	return ok && lo <= size && (hi < 0 || size <= hi)
}
