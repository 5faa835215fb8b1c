package dataset

import (
	"encoding/hex"
	"strings"
)

// GlobRegexp translates an Apache mod_autoindex P= glob (apr_fnmatch with
// APR_FNM_NOESCAPE: '*', '?', "[...]" sets with '!' or '^' negation and
// ranges, a ']' first in a set literal, an unclosed '[' literal, a
// backslash literal) into an anchored regular expression over a name's
// UTF-8 bytes in upper-case hexadecimal (HexName; in SQL, DuckDB's and
// Spark's hex(name), Trino's to_hex(to_utf8(name))). Apache matches
// bytes: over the hexadecimal, '?' and sets match one byte as they do
// there, also in names with non-ASCII letters, and caseBlind folds the
// ASCII letters only, as Apache does (a regular expression's (?i) folds
// Unicode: 'ſ' with 's', the Kelvin sign with 'k'). The expression has
// hexadecimal digits, sets of them, groups, alternation, '*', "{2}" and
// \z only: RE2 (DuckDB, Trino) and Java (Spark) read it alike. The
// leading-period rule (a name starting with '.' matches only a glob
// starting with '.') is not in it: see Row.ListingPatternDot.
func GlobRegexp(glob string, caseBlind bool) string {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; c {
		case '*':
			b.WriteString("(?:" + anyByte + ")*")
		case '?':
			b.WriteString(anyByte)
		case '[':
			if set, width := globSet(glob[i:], caseBlind); width > 0 {
				writeByteSet(&b, &set)
				i += width - 1
				continue
			}
			writeLiteral(&b, c, caseBlind)
		default:
			writeLiteral(&b, c, caseBlind)
		}
	}
	b.WriteString(`\z`)
	return b.String()
}

// HexName is a name as GlobRegexp's expressions read it: its bytes in
// upper-case hexadecimal, as SQL's hex(name) gives them.
func HexName(name string) string {
	return strings.ToUpper(hex.EncodeToString([]byte(name)))
}

// anyByte matches one byte.
const anyByte = "[0-9A-F]{2}"

const hexDigits = "0123456789ABCDEF"

// fold folds an ASCII upper-case letter to lower case when caseBlind, as
// apr_fnmatch with APR_FNM_CASE_BLIND does.
func fold(c byte, caseBlind bool) byte {
	if caseBlind && 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// writeLiteral writes the expression of one literal byte of a glob.
func writeLiteral(b *strings.Builder, c byte, caseBlind bool) {
	var set [256]bool
	for v := range 256 {
		set[v] = fold(byte(v), caseBlind) == fold(c, caseBlind)
	}
	writeByteSet(b, &set)
}

// globSet reads the set at the start of p ("[...]") as apr_fnmatch does
// (exposure's matchSet) and returns the bytes it matches; width 0: it is
// not closed, and '[' is a literal.
func globSet(p string, caseBlind bool) (set [256]bool, width int) {
	i := 1
	negate := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negate = true
		i++
	}
	type span struct{ lo, hi byte }
	var spans []span
	for start := i; i < len(p); i++ {
		if p[i] == ']' && i > start {
			for v := range 256 {
				c := fold(byte(v), caseBlind)
				in := false
				for _, s := range spans {
					in = in || s.lo <= c && c <= s.hi
				}
				set[v] = in != negate
			}
			return set, i + 1
		}
		lo := fold(p[i], caseBlind)
		if i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']' {
			spans = append(spans, span{lo, fold(p[i+2], caseBlind)})
			i += 2
			continue
		}
		spans = append(spans, span{lo, lo})
	}
	return set, 0
}

// writeByteSet writes an expression matching one byte of set: its
// members grouped by their first hexadecimal digit.
func writeByteSet(b *strings.Builder, set *[256]bool) {
	var alts []string
	n := 0
	for hi := range 16 {
		var lows []byte
		for lo := range 16 {
			if set[hi<<4|lo] {
				lows = append(lows, hexDigits[lo])
			}
		}
		n += len(lows)
		switch len(lows) {
		case 0:
		case 1:
			alts = append(alts, string([]byte{hexDigits[hi], lows[0]}))
		case 16:
			alts = append(alts, string(hexDigits[hi])+"[0-9A-F]")
		default:
			alts = append(alts, string(hexDigits[hi])+"["+string(lows)+"]")
		}
	}
	switch {
	case n == 256:
		b.WriteString(anyByte)
	case n == 0:
		b.WriteString("G") // never in hexadecimal: matches nothing
	case len(alts) == 1:
		b.WriteString(alts[0])
	default:
		b.WriteString("(?:" + strings.Join(alts, "|") + ")")
	}
}
