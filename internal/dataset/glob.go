package dataset

import (
	"regexp"
	"strings"
)

// GlobRegexp translates an Apache mod_autoindex P= glob (apr_fnmatch with
// APR_FNM_NOESCAPE: '*', '?', "[...]" sets with '!' or '^' negation and
// ranges, a ']' first in a set literal, an unclosed '[' literal, a
// backslash literal) into an anchored regular expression that RE2
// (DuckDB, Trino) and Java (Spark) read alike; caseBlind adds (?i). The
// leading-period rule (a name starting with '.' matches only a glob
// starting with '.') is not in it: see Row.ListingPatternDot. '?' and
// sets match one character where Apache matches one byte: the two differ
// on names with non-ASCII characters only.
func GlobRegexp(glob string, caseBlind bool) string {
	var b strings.Builder
	if caseBlind {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; c {
		case '*':
			b.WriteString("(?s:.*)")
		case '?':
			b.WriteString("(?s:.)")
		case '[':
			if set, width := globSet(glob[i:]); width > 0 {
				b.WriteString(set)
				i += width - 1
				continue
			}
			b.WriteString(`\[`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	return b.String()
}

// globSet translates the set at the start of p ("[...]") as apr_fnmatch
// reads it (see exposure's matchSet); width 0: not closed, '[' is a
// literal.
func globSet(p string) (string, int) {
	var b strings.Builder
	b.WriteString("[")
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		b.WriteString("^")
		neg = true
		i++
	}
	lit := func(c byte) {
		if c < 0x20 || c >= 0x7f || strings.IndexByte(`\[]^-&~`, c) >= 0 {
			// Escaped by code: never a class operator in either syntax.
			b.WriteString(`\x{`)
			b.WriteString(strings.ToLower(strings.TrimLeft(hex2(c), "0")))
			if c == 0 {
				b.WriteString("0")
			}
			b.WriteString("}")
			return
		}
		b.WriteByte(c)
	}
	empty := true
	for start := i; i < len(p); i++ {
		if p[i] == ']' && i > start {
			if empty { // only reversed ranges: nothing, or with '!' anything
				if neg {
					return "(?s:.)", i + 1
				}
				return `[^\x{0}-\x{10ffff}]`, i + 1
			}
			b.WriteString("]")
			return b.String(), i + 1
		}
		if i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']' {
			if p[i] <= p[i+2] {
				lit(p[i])
				b.WriteString("-")
				lit(p[i+2])
				empty = false
			}
			i += 2
			continue
		}
		lit(p[i])
		empty = false
	}
	return "", 0
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}
