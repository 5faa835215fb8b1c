package exposure

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/textutil"
)

// A ListingServer is the software that answered a directory listing, as
// far as it decides what a listing's query shows.
type ListingServer uint8

const (
	// ListingServerUnknown: the log does not tell which server wrote it
	// (nginx and Apache share the combined format). The query is read as
	// each server would read it: an entry every reading shows is Shown,
	// an entry only some readings show is MaybeShown.
	ListingServerUnknown ListingServer = iota
	// ListingServerApache is Apache httpd's mod_autoindex: P=pattern
	// shows only the names the pattern matches; C= and O= sort, F= and V=
	// format, and every other entry is shown.
	ListingServerApache
	// ListingServerCaddy is Caddy's file_server browse: sort, order,
	// offset and limit page the entries. It lists at most the first
	// 10,000 entries the file system returns (file_limit since 2.9).
	ListingServerCaddy
	// ListingServerPlain is a server whose listings no query changes:
	// nginx autoindex, lighttpd mod_dirlisting (it sorts in the browser),
	// IIS directory browsing.
	ListingServerPlain
)

// caddyDirLimit is how many entries of a folder Caddy's browse reads, in
// the file system's order, before it sorts and pages them.
const caddyDirLimit = 10000

// A ListingView is what a directory listing's query asks to be shown: the
// query as Apache's mod_autoindex reads it and as Caddy's file_server
// browse reads it. ParseListingView fills it; set Server (and CaseBlind)
// when the log tells the server. The zero value shows every entry.
type ListingView struct {
	// Server is the server that answered; ListingServerUnknown reads
	// the query every way.
	Server ListingServer
	// CaseBlind makes Pattern ignore ASCII case, as Apache does on a
	// case-insensitive file system (Windows); set it with
	// PathMapper.FoldCase.
	CaseBlind bool

	// Apache mod_autoindex's reading, argument by argument until the
	// first it does not know (it ignores the rest of the query from
	// there). Pattern is the P= glob, unescaped ("" when absent, empty
	// or badly escaped: then Apache shows everything). Column (C=) is
	// 'N', 'M', 'S' or 'D', Direction (O=) 'A' or 'D', Format (F=) '0',
	// '1' or '2', Version (V=) '0' or '1'; 0 when absent. Only Pattern
	// changes which entries are shown.
	Pattern                            string
	Column, Direction, Format, Version byte

	// Caddy's reading (Go's url.Query: "&"-separated, a pair holding
	// ";" dropped, first value wins). Sort is "name", "namedirfirst",
	// "size" or "time" (anything else: no sorting at all, the file
	// system's order), Order "asc" or "desc"; "" when absent, when
	// Caddy uses the client's cookie from an earlier sort, or its
	// configured default (namedirfirst, asc). Offset and Limit are 0
	// when absent or not a positive number.
	Sort, Order   string
	Offset, Limit int
}

// ParseListingView reads a directory listing's raw query (without the
// "?", escapes as logged). The result's Server is ListingServerUnknown.
func ParseListingView(query string) ListingView {
	var v ListingView
	v.parseAutoindex(query)
	vals, _ := url.ParseQuery(query) // as Caddy's r.URL.Query(): errors drop pairs
	v.Sort, v.Order = vals.Get("sort"), vals.Get("order")
	if n, err := strconv.Atoi(vals.Get("offset")); err == nil && n > 0 {
		v.Offset = n
	}
	if n, err := strconv.Atoi(vals.Get("limit")); err == nil && n > 0 {
		v.Limit = n
	}
	return v
}

// parseAutoindex reads the query as mod_autoindex does (httpd 2.4,
// index_directory): one-letter arguments separated by '&' or ';', a
// syntax error ends the reading.
func (v *ListingView) parseAutoindex(q string) {
	// arg1 reads "K=x" with x in valid, followed by a separator or the end.
	arg1 := func(k byte, valid string) (byte, bool) {
		if len(q) < 3 || q[0] != k || q[1] != '=' || strings.IndexByte(valid, q[2]) < 0 {
			return 0, false
		}
		if len(q) > 3 && q[3] != '&' && q[3] != ';' {
			return 0, false
		}
		c := q[2]
		q = q[min(4, len(q)):]
		return c, true
	}
	for q != "" {
		if c, ok := arg1('C', "NMSD"); ok {
			v.Column = c
		} else if c, ok := arg1('O', "AD"); ok {
			v.Direction = c
		} else if c, ok := arg1('F', "012"); ok {
			v.Format = c
		} else if c, ok := arg1('V', "01"); ok {
			v.Version = c
		} else if strings.HasPrefix(q, "P=") {
			rest := q[2:]
			eos := strings.IndexAny(rest, "&;")
			if eos < 0 {
				eos = len(rest)
			}
			v.Pattern = ""
			if p, ok := unescapeAutoindex(rest[:eos]); ok {
				v.Pattern = p
			}
			if eos+1 < len(rest) {
				q = rest[eos+1:]
			} else {
				q = ""
			}
		} else {
			return // syntax error: the rest is ignored
		}
	}
}

// unescapeAutoindex decodes %XX escapes as httpd's ap_unescape_url: a bad
// escape, an escaped '/' or NUL make the pattern unusable (Apache then
// ignores it); '+' stays '+'.
func unescapeAutoindex(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		h, ok1 := textutil.Unhex(s[i+1])
		l, ok2 := textutil.Unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		c := h<<4 | l
		if c == '/' || c == 0 {
			return "", false
		}
		b = append(b, c)
		i += 2
	}
	return string(b), true
}

// A ListingEntry is one entry of a folder at the time of a listing, as
// the caller knows it.
type ListingEntry struct {
	Name    string    // the entry's name, no slash
	Dir     bool      // a subfolder
	Size    int64     // bytes; < 0 when unknown (a folder's size is never used)
	ModTime time.Time // the zero Time when unknown
}

// Visibility is whether a listing showed an entry.
type Visibility uint8

const (
	// Hidden: the listing did not show the entry.
	Hidden Visibility = iota
	// Shown: the listing showed the entry.
	Shown
	// MaybeShown: the listing may have shown the entry; the log does not
	// tell (the server, a sort chosen by cookie, ties at a page's edge,
	// unknown sizes or times, entries the caller does not know).
	MaybeShown
)

var visibilityNames = [...]string{"hidden", "shown", "maybe_shown"}

// String returns "hidden", "shown" or "maybe_shown".
func (v Visibility) String() string {
	if int(v) < len(visibilityNames) {
		return visibilityNames[v]
	}
	return "Visibility(" + strconv.Itoa(int(v)) + ")"
}

// Whole reports whether the view shows every entry of a folder of n
// entries, whatever they are: no reading of the query filters or pages
// it. Then Visible would return Shown for all; callers may skip it.
func (v ListingView) Whole(n int) bool {
	switch v.Server {
	case ListingServerPlain:
		return true
	case ListingServerApache:
		return v.Pattern == ""
	case ListingServerCaddy:
		lo, hi := v.caddyWindow(n)
		return n <= caddyDirLimit && lo == 0 && hi == n
	}
	lo, hi := v.caddyWindow(n)
	return v.Pattern == "" && lo == 0 && hi == n
}

// Visible returns, for each entry of a folder at the listing's time,
// whether the listing showed it. entries are the folder's entries,
// subfolders included, in any order; complete says that they are all of
// them. When they may not be (the caller knows only the recordings of an
// index), a paged view cannot place its page, and its entries are
// MaybeShown unless they lie past the page's end even so; a filter
// (Apache's P=) does not depend on the other entries. The result is
// appended to dst[:0].
func (v ListingView) Visible(entries []ListingEntry, complete bool, dst []Visibility) []Visibility {
	out := dst[:0]
	for range entries {
		out = append(out, Shown)
	}
	switch v.Server {
	case ListingServerPlain:
		return out
	case ListingServerApache:
		v.applyPattern(entries, out)
		return out
	case ListingServerCaddy:
		if len(entries) > caddyDirLimit {
			// Caddy read some 10,000 of them, in the file system's order.
			for i := range out {
				out[i] = MaybeShown
			}
			return out
		}
		v.caddyVisible(entries, complete, out)
		return out
	}
	// Unknown server: a server that ignores the query shows everything,
	// so what a reading hides is only MaybeShown.
	apache := make([]Visibility, len(entries))
	caddy := make([]Visibility, len(entries))
	for i := range entries {
		apache[i], caddy[i] = Shown, Shown
	}
	v.applyPattern(entries, apache)
	v.caddyVisible(entries, complete, caddy) // Caddy's cap only when Server says Caddy

	for i := range out {
		if apache[i] != Shown || caddy[i] != Shown {
			out[i] = MaybeShown
		}
	}
	return out
}

// applyPattern hides the entries Apache's P= pattern does not match.
func (v ListingView) applyPattern(entries []ListingEntry, out []Visibility) {
	if v.Pattern == "" {
		return
	}
	for i, e := range entries {
		if !fnmatch(v.Pattern, e.Name, v.CaseBlind) {
			out[i] = Hidden
		}
	}
}

// caddyWindow returns the page [lo, hi) of n sorted entries, as Caddy's
// applySortAndLimit cuts it: an offset beyond the end or a limit beyond
// what is left is ignored.
func (v ListingView) caddyWindow(n int) (lo, hi int) {
	if v.Offset > 0 && v.Offset <= n {
		lo = v.Offset
	}
	hi = n
	if v.Limit > 0 && v.Limit <= n-lo {
		hi = lo + v.Limit
	}
	return lo, hi
}

// caddyVisible marks out (all Shown on entry) as Caddy's browse shows
// the entries: every sort and order the query leaves open (a cookie or
// the configuration chooses them) is tried, and an entry is Shown or
// Hidden only if all agree.
func (v ListingView) caddyVisible(entries []ListingEntry, complete bool, out []Visibility) {
	n := len(entries)
	paged := v.Offset > 0 || v.Limit > 0
	if !paged {
		return
	}
	if !complete {
		// Unknown entries may precede any of these: only an entry
		// already past the page's end among the known ones is surely
		// hidden.
		pos := make([][2]int, n)
		first := true
		for _, s := range v.caddySorts() {
			for _, o := range v.caddyOrders() {
				ps, ok := caddyPositions(entries, s, o)
				for i := range pos {
					if !ok {
						pos[i][0] = 0
					} else if first || ps[i][0] < pos[i][0] {
						pos[i][0] = ps[i][0]
					}
				}
				first = false
			}
		}
		for i := range out {
			if v.Limit > 0 && pos[i][0] >= v.Offset+v.Limit {
				out[i] = Hidden
			} else {
				out[i] = MaybeShown
			}
		}
		return
	}
	lo, hi := v.caddyWindow(n)
	if lo == 0 && hi == n {
		return // the page is the whole folder
	}
	first := true
	for _, s := range v.caddySorts() {
		for _, o := range v.caddyOrders() {
			ps, ok := caddyPositions(entries, s, o)
			for i := range out {
				var w Visibility
				switch {
				case !ok:
					w = MaybeShown
				case ps[i][0] >= lo && ps[i][1] < hi:
					w = Shown
				case ps[i][1] < lo || ps[i][0] >= hi:
					w = Hidden
				default:
					w = MaybeShown // ties across the page's edge
				}
				if first {
					out[i] = w
				} else if out[i] != w {
					out[i] = MaybeShown
				}
			}
			first = false
		}
	}
}

// Caddy's sort names.
const (
	caddySortName         = "name"
	caddySortNameDirFirst = "namedirfirst"
	caddySortSize         = "size"
	caddySortTime         = "time"
)

// caddySorts returns the sorts the view leaves possible; "" stands for
// no sorting (an unknown sort name).
func (v ListingView) caddySorts() []string {
	switch v.Sort {
	case "":
		return []string{caddySortNameDirFirst, caddySortName, caddySortSize, caddySortTime}
	case caddySortName, caddySortNameDirFirst, caddySortSize, caddySortTime:
		return []string{v.Sort}
	}
	return []string{""}
}

// caddyOrders returns the orders the view leaves possible: true is
// descending.
func (v ListingView) caddyOrders() []bool {
	switch v.Order {
	case "":
		return []bool{false, true}
	case "desc":
		return []bool{true}
	}
	return []bool{false} // anything else sorts ascending
}

// caddyPositions sorts the entries as Caddy does and returns each
// entry's possible positions [first, last] (entries that compare equal
// may come in any order: Caddy's sort is not stable). ok is false when
// the order cannot be known: no sorting, or a size or time unknown.
func caddyPositions(entries []ListingEntry, sortBy string, desc bool) ([][2]int, bool) {
	n := len(entries)
	type key struct {
		dir  bool
		name string // lower-cased, folders with a trailing slash
		size int64
		mod  time.Time
	}
	keys := make([]key, n)
	for i, e := range entries {
		name := e.Name
		if e.Dir {
			name += "/"
		}
		keys[i] = key{e.Dir, strings.ToLower(name), e.Size, e.ModTime}
		switch sortBy {
		case "":
			return nil, false
		case caddySortSize:
			if !e.Dir && e.Size < 0 {
				return nil, false
			}
		case caddySortTime:
			if e.ModTime.IsZero() {
				return nil, false
			}
		}
	}
	less := func(a, b key) bool {
		switch sortBy {
		case caddySortName:
			return a.name < b.name
		case caddySortNameDirFirst:
			if a.dir == b.dir {
				return a.name < b.name
			}
			return a.dir
		case caddySortSize:
			if a.dir && b.dir {
				return a.name < b.name
			}
			if a.dir != b.dir {
				return a.dir
			}
			return a.size < b.size
		default: // time
			return a.mod.Before(b.mod)
		}
	}
	if desc {
		asc := less
		less = func(a, b key) bool { return asc(b, a) }
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		switch {
		case less(keys[i], keys[j]):
			return -1
		case less(keys[j], keys[i]):
			return 1
		}
		return 0
	})
	pos := make([][2]int, n)
	for a := 0; a < n; {
		b := a + 1
		for b < n && !less(keys[idx[a]], keys[idx[b]]) && !less(keys[idx[b]], keys[idx[a]]) {
			b++
		}
		for k := a; k < b; k++ {
			pos[idx[k]] = [2]int{a, b - 1}
		}
		a = b
	}
	return pos, true
}

// fnmatch matches name against an Apache P= pattern as apr_fnmatch with
// APR_FNM_NOESCAPE and APR_FNM_PERIOD: '*' any bytes, '?' one byte,
// "[...]" a set ("[!...]" or "[^...]" its complement, "a-z" ranges, a
// ']' first is literal, an unclosed '[' is literal), a backslash is
// literal, and a leading '.' of the name matches only a literal '.'.
// caseBlind folds ASCII case.
func fnmatch(pattern, name string, caseBlind bool) bool {
	fold := func(c byte) byte {
		if caseBlind && 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	if name != "" && name[0] == '.' && (pattern == "" || pattern[0] != '.') {
		return false
	}
	px, nx := 0, 0
	starPx, starNx := -1, 0
	for nx < len(name) || px < len(pattern) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				starPx, starNx = px, nx
				px++
				continue
			case '?':
				if nx < len(name) {
					px++
					nx++
					continue
				}
			case '[':
				if nx < len(name) {
					if ok, width := matchSet(pattern[px:], fold(name[nx]), fold); width > 0 {
						if ok {
							px += width
							nx++
							continue
						}
					} else if fold(name[nx]) == '[' {
						px++
						nx++
						continue
					}
				}
			default:
				if nx < len(name) && fold(name[nx]) == fold(c) {
					px++
					nx++
					continue
				}
			}
		}
		if starPx >= 0 && starNx < len(name) {
			starNx++
			px, nx = starPx+1, starNx
			continue
		}
		return false
	}
	return true
}

// matchSet matches c against the bracket expression at the start of p
// ("[...]"). width is the expression's length, 0 when it is not closed
// (then '[' is a literal).
func matchSet(p string, c byte, fold func(byte) byte) (ok bool, width int) {
	i := 1
	negate := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negate = true
		i++
	}
	matched := false
	for start := i; i < len(p); i++ {
		if p[i] == ']' && i > start {
			if negate {
				matched = !matched
			}
			return matched, i + 1
		}
		lo := fold(p[i])
		if i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']' {
			hi := fold(p[i+2])
			if lo <= c && c <= hi {
				matched = true
			}
			i += 2
			continue
		}
		if c == lo {
			matched = true
		}
	}
	return false, 0
}
