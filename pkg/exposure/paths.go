package exposure

import (
	"path"
	"strings"

	"github.com/forensiclog/forensics/internal/textutil"
)

// A PathMapper maps a path as the web server saw it to the path the
// recording index uses. After normalisation, StripPrefix is removed from
// the front of a request path (whole segments only) and AddPrefix put in
// its place; FoldCase lower-cases both request and index paths, for
// servers on case-insensitive file systems (a NAS, Windows, IIS).
//
// Example: the server published /volume1/1177/rec as /rec; the index
// lists /volume1/1177/rec/2019/a.mp3. StripPrefix "/rec" and AddPrefix
// "/volume1/1177/rec" map a request for /rec/2019/a.mp3 to the index path.
type PathMapper struct {
	StripPrefix, AddPrefix string
	FoldCase               bool
}

// maxDecodeRounds bounds the percent-decoding of multiply encoded paths.
const maxDecodeRounds = 4

// NormalizePath returns the canonical form of a request or index path, so
// that every spelling of one file gives one string:
//
//   - a query ("?..." ) is dropped;
//   - percent-escapes left after one decoding are decoded again (double
//     encoding such as %252F), up to 4 rounds; malformed escapes stay;
//   - backslashes become slashes, duplicate slashes collapse, "." and ".."
//     segments are resolved as by path.Clean (never above the root), and
//     a trailing slash, which means a directory, is kept;
//   - the path is rooted ("a/b" becomes "/a/b");
//   - m's prefixes are applied, then case is folded when m.FoldCase.
//
// Request paths from logparse are already percent-decoded once; index
// paths are usually not encoded at all. Both go through the same steps.
// NormalizePath does not allocate when p is already in canonical form
// and m changes nothing.
func NormalizePath(p string, m PathMapper) string {
	p = normalizeBase(p)
	strip, add := m.StripPrefix, m.AddPrefix
	if strip != "" || add != "" {
		strip, add = normalizeBase(strip), normalizeBase(add)
	}
	if m.FoldCase {
		p, strip, add = foldPath(p), foldPath(strip), foldPath(add)
	}
	if strip != "" || add != "" {
		p = mapPrefix(p, strip, add)
	}
	return p
}

// mapPrefix replaces the normalised prefix strip by add when p lies under
// it (whole segments only).
func mapPrefix(p, strip, add string) string {
	strip = strings.TrimSuffix(strip, "/")
	add = strings.TrimSuffix(add, "/")
	if !hasPathPrefix(p, strip) {
		return p
	}
	rest := p[len(strip):]
	if rest == "" {
		rest = "/"
	}
	return add + rest
}

// hasPathPrefix reports whether p equals prefix or lies under it. The
// root prefix "" matches everything.
func hasPathPrefix(p, prefix string) bool {
	return strings.HasPrefix(p, prefix) && (len(p) == len(prefix) || p[len(prefix)] == '/')
}

// foldPath lower-cases p (Unicode simple folding, as a case-insensitive
// file system would).
func foldPath(p string) string {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return strings.ToLower(p)
		}
	}
	return p
}

// normalizeBase does every step of NormalizePath but the mapping.
func normalizeBase(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	for range maxDecodeRounds {
		d, changed := decodePathEscapes(p)
		if !changed {
			break
		}
		p = d
		// A decoded %3F is a literal '?' in a file name: keep it.
	}
	if pathIsClean(p) {
		return p
	}
	if strings.IndexByte(p, '\\') >= 0 {
		p = strings.ReplaceAll(p, "\\", "/")
	}
	dir := strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") || p == "." || p == ".."
	c := path.Clean("/" + p)
	if dir && c != "/" {
		c += "/"
	}
	return c
}

// pathIsClean reports whether p is rooted, has no backslash, no empty
// segment other than a final one, and no "." or ".." segment.
func pathIsClean(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	start := 1
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			if p[i] == '\\' {
				return false
			}
			continue
		}
		seg := p[start:i]
		if seg == "." || seg == ".." || seg == "" && i < len(p) {
			return false
		}
		start = i + 1
	}
	return true
}

// decodePathEscapes decodes %XX escapes in s once, keeping malformed
// ones, and reports whether anything was decoded.
func decodePathEscapes(s string) (string, bool) {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s, false
	}
	var b []byte
	changed := false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			h, ok1 := textutil.Unhex(s[i+1])
			l, ok2 := textutil.Unhex(s[i+2])
			if ok1 && ok2 {
				if b == nil {
					b = make([]byte, 0, len(s))
					b = append(b, s[:i]...)
				}
				b = append(b, h<<4|l)
				i += 2
				changed = true
				continue
			}
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if !changed {
		return s, false
	}
	return string(b), true
}

// IsListingRequest reports whether a request asks for a directory
// listing: its path (normalised) ends with "/", whatever the query (a
// server ignores arguments it does not know), or the query holds only
// Apache mod_autoindex arguments (C=N;O=D, C=M&O=A, F=, V=, P=), which
// make sense only on a directory. path may carry its query after a '?';
// query is the raw query without '?'.
//
// A path without a trailing slash that names a directory is normally
// redirected (301) to the slashed form by Apache and nginx; use
// Index.Dir to recognise it when a server lists it directly.
func IsListingRequest(p, query string) bool {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		if query == "" {
			query = p[i+1:]
		}
		p = p[:i]
	}
	if strings.HasSuffix(normalizeBase(p), "/") {
		return true
	}
	return isAutoindexQuery(query)
}

// isAutoindexQuery reports whether q is a non-empty list of Apache
// mod_autoindex arguments.
func isAutoindexQuery(q string) bool {
	if q == "" {
		return false
	}
	for arg := range strings.FieldsFuncSeq(q, func(r rune) bool { return r == ';' || r == '&' }) {
		k, v, ok := strings.Cut(arg, "=")
		if !ok {
			return false
		}
		switch k {
		case "C":
			if len(v) != 1 || !strings.Contains("NMSD", v) {
				return false
			}
		case "O":
			if v != "A" && v != "D" {
				return false
			}
		case "F":
			if v != "0" && v != "1" && v != "2" {
				return false
			}
		case "V":
			if v != "0" && v != "1" {
				return false
			}
		case "P":
			// A file-name pattern: anything.
		default:
			return false
		}
	}
	return true
}
