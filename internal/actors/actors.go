// Package actors reads the responder's list of known actors, a YAML or
// CSV file, and answers exposure.ActorDirectory from it: which requests
// came from the platform's own playback servers, from a newspaper's
// office, from a search engine's crawler, from the responder's own
// scanner.
//
// # Format
//
// Each entry has a label, a category (authorized, press, internal,
// crawler, unknown, or a name of the user's own; unknown when absent),
// and conditions:
//
//   - cidrs: networks the client address must be in (CIDR prefixes or
//     bare addresses, IPv4 or IPv6; prefixes with host bits set are
//     refused, since a typo there would name more clients than meant);
//   - user_agents: patterns one of which the User-Agent must match: a
//     case-insensitive substring, or a Go regular expression between
//     slashes, /regex/ (case-sensitive) or /regex/i.
//
// An entry with both needs both to hold; an entry needs at least one.
// Entries are tried in the order of the file and the first match wins.
// fixtures/actors.example.yaml and fixtures/actors.example.csv document
// both forms:
//
//	actors:
//	  - label: Platform playback servers
//	    category: authorized
//	    cidrs: [198.51.100.10, 2001:db8:5::/64]
//	  - label: Googlebot
//	    category: crawler
//	    user_agents: [Googlebot]
//
// In CSV, the header names the columns (label, category, cidrs,
// user_agents, note, in any order); a cidrs cell holds addresses
// separated by spaces or commas, a user_agents cell one pattern per line.
// Lines starting with # are comments.
//
// # Errors
//
// Errors are *Error values naming the file, the entry number and the
// line, never the values in the file.
//
// # Concurrency
//
// A Directory is read-only once loaded and safe for concurrent use.
package actors

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/forensiclog/forensics/pkg/exposure"
)

// Kinds of errors, wrapped by Error. Compare with errors.Is.
var (
	ErrSyntax       = errors.New("syntax error")
	ErrFormat       = errors.New("unknown file format (want .yaml, .yml or .csv)")
	ErrStructure    = errors.New("unexpected structure")
	ErrUnknownField = errors.New("unknown field")
	ErrDuplicate    = errors.New("field given twice")
	ErrNoLabel      = errors.New("entry has no label")
	ErrNoCondition  = errors.New("entry has neither cidrs nor user_agents")
	ErrBadCIDR      = errors.New("bad CIDR prefix or address")
	ErrHostBits     = errors.New("CIDR prefix has host bits set")
	ErrBadPattern   = errors.New("bad user-agent pattern")
	ErrNoEntries    = errors.New("no entries")
)

// An Error reports a problem in an actors file. It carries positions,
// never the file's values.
type Error struct {
	Path  string // file name as given
	Entry int    // 1-based entry number; 0 when not about one entry
	Line  int    // 1-based line; 0 when unknown
	Err   error  // one of the Err* kinds, or a wrapper of one
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("actors: ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	switch {
	case e.Entry > 0 && e.Line > 0:
		fmt.Fprintf(&b, "entry %d (line %d): ", e.Entry, e.Line)
	case e.Entry > 0:
		fmt.Fprintf(&b, "entry %d: ", e.Entry)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Entry is one known actor as loaded, for listing in a manifest.
type Entry struct {
	Label      string
	Category   string
	CIDRs      []netip.Prefix
	UserAgents []string // patterns as written
}

// Directory holds the entries of an actors file. It implements
// exposure.ActorDirectory.
type Directory struct {
	entries []entry
}

var _ exposure.ActorDirectory = (*Directory)(nil)

type entry struct {
	Entry
	actor    exposure.KnownActor
	patterns []pattern
}

// A pattern is a substring compared without ASCII case (sub, ASCII
// letters lower-cased), or a regular expression.
type pattern struct {
	sub string
	re  *regexp.Regexp
}

func (p pattern) match(ua string) bool {
	if p.re != nil {
		return p.re.MatchString(ua)
	}
	return containsFoldASCII(ua, p.sub)
}

// containsFoldASCII reports whether s contains sub, ignoring the case
// of ASCII letters; sub's ASCII letters are lower-case.
func containsFoldASCII(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	first := sub[0]
	for i := 0; i+n <= len(s); i++ {
		if lower(s[i]) != first {
			continue
		}
		j := 1
		for j < n && lower(s[i+j]) == sub[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// MatchActor returns the first entry whose conditions hold for a request
// from addr with the given User-Agent. IPv4-mapped IPv6 addresses are
// matched as IPv4; the zero Addr (a host name was logged) matches no
// CIDR.
func (d *Directory) MatchActor(addr netip.Addr, userAgent string) (exposure.KnownActor, bool) {
	addr = addr.Unmap()
	for i := range d.entries {
		e := &d.entries[i]
		if len(e.CIDRs) > 0 && !containsAddr(e.CIDRs, addr) {
			continue
		}
		if len(e.patterns) > 0 && !matchAny(e.patterns, userAgent) {
			continue
		}
		return e.actor, true
	}
	return exposure.KnownActor{}, false
}

func containsAddr(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func matchAny(ps []pattern, ua string) bool {
	for _, p := range ps {
		if p.match(ua) {
			return true
		}
	}
	return false
}

// Len returns the number of entries.
func (d *Directory) Len() int { return len(d.entries) }

// Entries returns the entries in file order.
func (d *Directory) Entries() []Entry {
	out := make([]Entry, len(d.entries))
	for i, e := range d.entries {
		out[i] = Entry{
			Label:      e.Label,
			Category:   e.Category,
			CIDRs:      append([]netip.Prefix(nil), e.CIDRs...),
			UserAgents: append([]string(nil), e.UserAgents...),
		}
	}
	return out
}

// maxFileSize bounds an actors file; a larger one is surely a mistake.
const maxFileSize = 16 << 20

// Load reads an actors file. The format follows the extension (.yaml,
// .yml, .csv); for other names it is told from the content.
func Load(path string) (*Directory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("actors: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("actors: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, &Error{Path: path, Err: fmt.Errorf("%w: larger than %d bytes", ErrStructure, maxFileSize)}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return ParseYAML(data, path)
	case ".csv":
		return ParseCSV(bytes.NewReader(data), path)
	}
	switch sniff(data) {
	case "yaml":
		return ParseYAML(data, path)
	case "csv":
		return ParseCSV(bytes.NewReader(data), path)
	}
	return nil, &Error{Path: path, Err: ErrFormat}
}

// sniff tells YAML from CSV by the first line that is neither blank nor
// a comment.
func sniff(data []byte) string {
	for line := range bytes.Lines(data) {
		s := strings.TrimSpace(string(line))
		switch {
		case s == "" || strings.HasPrefix(s, "#"):
			continue
		case s == "---" || strings.HasPrefix(s, "actors:") || strings.HasPrefix(s, "- "):
			return "yaml"
		case strings.Contains(strings.ToLower(s), "label") && strings.Contains(s, ","):
			return "csv"
		}
		return ""
	}
	return ""
}

// raw is an entry as read, before checking.
type raw struct {
	label, category string
	cidrs, uas      []string
}

// build checks raw entries and makes a Directory. lines holds each
// entry's line.
func build(path string, raws []raw, lines []int) (*Directory, error) {
	if len(raws) == 0 {
		return nil, &Error{Path: path, Err: ErrNoEntries}
	}
	d := &Directory{entries: make([]entry, 0, len(raws))}
	for i, r := range raws {
		fail := func(err error) (*Directory, error) {
			return nil, &Error{Path: path, Entry: i + 1, Line: lines[i], Err: err}
		}
		e := entry{}
		e.Label = strings.TrimSpace(r.label)
		if e.Label == "" {
			return fail(ErrNoLabel)
		}
		e.Category = category(r.category)
		for j, s := range r.cidrs {
			p, err := parsePrefix(s)
			if err != nil {
				return fail(fmt.Errorf("cidr %d: %w", j+1, err))
			}
			e.CIDRs = append(e.CIDRs, p)
		}
		for j, s := range r.uas {
			p, err := parsePattern(s)
			if err != nil {
				return fail(fmt.Errorf("user agent %d: %w", j+1, err))
			}
			e.UserAgents = append(e.UserAgents, s)
			e.patterns = append(e.patterns, p)
		}
		if len(e.CIDRs) == 0 && len(e.patterns) == 0 {
			return fail(ErrNoCondition)
		}
		e.actor = exposure.KnownActor{Label: e.Label, Category: e.Category}
		d.entries = append(d.entries, e)
	}
	return d, nil
}

// category returns the category as written, with the known names in
// their canonical case, and unknown for none.
func category(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return exposure.CategoryUnknown
	}
	for _, c := range []string{exposure.CategoryAuthorized, exposure.CategoryPress,
		exposure.CategoryInternal, exposure.CategoryCrawler, exposure.CategoryUnknown} {
		if strings.EqualFold(s, c) {
			return c
		}
	}
	return s
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, ErrBadCIDR
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, ErrBadCIDR
	}
	if p.Masked() != p {
		return netip.Prefix{}, ErrHostBits
	}
	if a := p.Addr(); a.Is4In6() { // at least /96 without host bits
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p, nil
}

func parsePattern(s string) (pattern, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return pattern{}, fmt.Errorf("%w: empty", ErrBadPattern)
	}
	if len(s) >= 2 && s[0] == '/' {
		expr, flags := "", ""
		switch {
		case strings.HasSuffix(s, "/i") && len(s) >= 3:
			expr, flags = s[1:len(s)-2], "(?i)"
		case strings.HasSuffix(s, "/"):
			expr = s[1 : len(s)-1]
		}
		if expr != "" {
			re, err := regexp.Compile(flags + expr)
			if err != nil {
				// err quotes the expression: keep only the kind.
				return pattern{}, fmt.Errorf("%w: not a valid regular expression", ErrBadPattern)
			}
			return pattern{re: re}, nil
		}
	}
	if !isASCII(s) && utf8.ValidString(s) {
		// Unicode case folding: Ö matches ö.
		return pattern{re: regexp.MustCompile("(?i)" + regexp.QuoteMeta(s))}, nil
	}
	// ASCII, or bytes that are not UTF-8 (compared as they are, ASCII
	// letters without case).
	return pattern{sub: lowerASCII(s)}, nil
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// splitCIDRs splits a cell or scalar of CIDRs at spaces and commas.
func splitCIDRs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// splitLines splits a cell of patterns into its non-blank lines.
func splitLines(s string) []string {
	var out []string
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}
