package useragent

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ua-parser/uap-go/uaparser"
)

// ua-parser tries several hundred regular expressions in order, and many
// are large alternations that Go's regexp engine runs slowly (hundreds of
// microseconds each). A prefilter skips a rule cheaply when the string
// cannot match it: every match of a rule contains, for each of a few
// sets of literals taken from the rule, one literal of the set; a string
// lacking all literals of some set is passed over.
// The rules are still tried in ua-parser's order and decided by its own
// regular expressions and Match methods, so the answers are the same as
// ua-parser's (TestPrefilterAgrees checks this over the corpus).

// A filter holds clauses of literals, case-folded with fold: every match
// of a rule contains, for each clause, one of the clause's literals. all
// means nothing is known.
type filter struct {
	clauses [][]string
	all     bool
}

const (
	maxLits    = 512 // literals in a clause; larger ones are dropped
	maxClauses = 4   // the most selective clauses are kept
)

func newFilter(re *regexp.Regexp) filter {
	t, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return filter{all: true}
	}
	cs, ok := required(t.Simplify())
	if !ok {
		return filter{all: true}
	}
	var f filter
	for _, c := range cs {
		if len(c) == 0 || len(c) > maxLits {
			continue
		}
		seen := map[string]bool{}
		var folded []string
		for _, l := range c {
			if l = fold(l); !seen[l] {
				seen[l] = true
				folded = append(folded, l)
			}
		}
		f.clauses = append(f.clauses, folded)
	}
	if len(f.clauses) == 0 {
		return filter{all: true}
	}
	// Most selective first: longest shortest literal, then fewest.
	slices.SortStableFunc(f.clauses, func(a, b []string) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	if len(f.clauses) > maxClauses {
		f.clauses = f.clauses[:maxClauses]
	}
	return f
}

// mayMatch reports whether a string whose fold is folded may match.
func (f *filter) mayMatch(folded string) bool {
	if f.all {
		return true
	}
	for _, c := range f.clauses {
		if !containsAny(folded, c) {
			return false
		}
	}
	return true
}

func containsAny(s string, lits []string) bool {
	for _, l := range lits {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// required returns clauses of literals such that every match of re
// contains, for each clause, one of its literals; false when there are
// none.
func required(re *syntax.Regexp) ([][]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, false
		}
		return [][]string{{string(re.Rune)}}, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		var all [][]string
		for _, s := range re.Sub {
			if cs, ok := required(s); ok {
				all = append(all, cs...)
			}
		}
		return all, len(all) > 0
	case syntax.OpAlternate:
		// One clause: the union of each branch's best clause.
		var union []string
		for _, s := range re.Sub {
			cs, ok := required(s)
			if !ok {
				return nil, false
			}
			best := cs[0]
			for _, c := range cs[1:] {
				if better(c, best) {
					best = c
				}
			}
			union = append(union, best...)
		}
		return [][]string{union}, true
	}
	return nil, false
}

// better prefers the clause whose shortest literal is longer, then the
// smaller clause.
func better(a, b []string) bool {
	ma, mb := minLen(a), minLen(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func minLen(ls []string) int {
	m := -1
	for _, l := range ls {
		if n := utf8.RuneCountInString(l); m < 0 || n < m {
			m = n
		}
	}
	return m
}

// fold maps every rune to the smallest rune of its case-folding orbit
// (so "k", "K" and the Kelvin sign all become "K"). A string that
// matches a literal, with or without (?i), contains the literal's fold
// in its own fold. Bytes that are not UTF-8 become U+FFFD, as regexp
// reads them.
func fold(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b = utf8.AppendRune(b, canon(r))
		i += size
	}
	return string(b)
}

func canon(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return m
}

// filtered runs ua-parser's user-agent and device rules with
// prefilters.
type filtered struct {
	uap     *uaparser.Parser
	uaF     []filter
	deviceF []filter
	spider  []int // device rules whose family is the literal "Spider"
}

func newFiltered(uap *uaparser.Parser) *filtered {
	f := &filtered{uap: uap}
	for _, r := range uap.UA {
		f.uaF = append(f.uaF, newFilter(r.Reg))
	}
	for i, r := range uap.Device {
		f.deviceF = append(f.deviceF, newFilter(r.Reg))
		if r.DeviceReplacement == "Spider" {
			f.spider = append(f.spider, i)
		}
	}
	return f
}

// userAgent is ua-parser's ParseUserAgent: the first rule whose match
// gives a family decides; "Other" when none does.
func (f *filtered) userAgent(s, folded string) uaparser.UserAgent {
	var ua uaparser.UserAgent
	for i, r := range f.uap.UA {
		if !f.uaF[i].mayMatch(folded) {
			continue
		}
		r.Match(s, &ua)
		if ua.Family != "" {
			return ua
		}
	}
	ua.Family = "Other"
	return ua
}

// deviceFamily is ua-parser's ParseDevice(s).Family.
func (f *filtered) deviceFamily(s, folded string) string {
	var d uaparser.Device
	for i, r := range f.uap.Device {
		if !f.deviceF[i].mayMatch(folded) {
			continue
		}
		r.Match(s, &d)
		if d.Family != "" {
			return d.Family
		}
	}
	return "Other"
}

// isSpider reports whether deviceFamily(s, folded) is "Spider", trying
// far fewer rules for most strings. The device family is that of the
// first rule that gives one. A family is "Spider" either because the
// rule says so (the rules in f.spider) or because it is taken from the
// string, which then holds "Spider". Without that literal, only the
// rules in f.spider can give it, and only if no earlier rule gives
// another family: so find the first of them that matches, then try the
// rules before it.
func (f *filtered) isSpider(s, folded string) bool {
	if strings.Contains(s, "Spider") {
		return f.deviceFamily(s, folded) == "Spider"
	}
	first := -1
	var d uaparser.Device
	for _, i := range f.spider {
		if !f.deviceF[i].mayMatch(folded) {
			continue
		}
		f.uap.Device[i].Match(s, &d)
		if d.Family != "" {
			first = i
			break
		}
	}
	if first < 0 {
		return false
	}
	for i, r := range f.uap.Device[:first] {
		if !f.deviceF[i].mayMatch(folded) {
			continue
		}
		d = uaparser.Device{}
		r.Match(s, &d)
		if d.Family != "" {
			return false
		}
	}
	return true
}
