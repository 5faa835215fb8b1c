package exposure

import (
	"cmp"
	"regexp/syntax"
	"slices"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// seNumbers decides whether a Swedish national significant number is
// valid the way libphonenumber's IsValidNumber does, without its regular
// expressions at run time: libphonenumber tests the number against the
// patterns of SE's number types one by one (a microsecond or more per
// number, most of an index load's time). Here the same patterns, taken
// from the same metadata, are compiled once into one deterministic
// automaton over the digits, which walks a number in a table lookup per
// digit and ends in the set of number types whose pattern matched it
// whole. The verdict is libphonenumber's by construction: the same
// languages, the same possible lengths, the same order of types.
// TestSwedishAutomaton compares both on generated numbers of every
// prefix and length.
var seNumbers = sync.OnceValue(func() *digitAutomaton {
	md := seMetadata()
	if md == nil {
		return nil
	}
	a, err := newDigitAutomaton(md)
	if err != nil {
		return nil
	}
	return a
})

// seMetadata returns libphonenumber's metadata for SE, or nil.
func seMetadata() *phonenumbers.PhoneMetadata {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	for _, md := range coll.GetMetadata() {
		if md.GetId() == phoneRegion {
			return md
		}
	}
	return nil
}

// The number types of a region's metadata in the order
// getNumberTypeHelper tests them; descGeneral first.
const (
	descGeneral = iota
	descPremium
	descTollFree
	descSharedCost
	descVoip
	descPersonal
	descPager
	descUAN
	descVoicemail
	descFixed
	descMobile
	numDescs
)

// A digitAutomaton is the deterministic automaton of a region's number
// type patterns, over the digits 0-9.
type digitAutomaton struct {
	next    [][10]int32 // next[state][digit]; -1: no pattern can match any more
	matched []uint16    // the descriptions whose pattern matches when the input ends in state
	lengths [numDescs]uint64
	anyLen  [numDescs]bool // the description lists no possible lengths
	// sameMobileFixed is the metadata's same_mobile_and_fixed_line_pattern.
	sameMobileFixed bool
}

// maxAutomatonStates bounds the automaton; metadata that needs more is
// left to libphonenumber.
const maxAutomatonStates = 1 << 16

// errAutomaton reports metadata the automaton does not cover.
type errAutomaton string

func (e errAutomaton) Error() string { return "phone automaton: " + string(e) }

func newDigitAutomaton(md *phonenumbers.PhoneMetadata) (*digitAutomaton, error) {
	descs := [numDescs]*phonenumbers.PhoneNumberDesc{
		md.GetGeneralDesc(), md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(),
		md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(),
		md.GetVoicemail(), md.GetFixedLine(), md.GetMobile(),
	}
	a := &digitAutomaton{sameMobileFixed: md.GetSameMobileAndFixedLinePattern()}
	var progs [numDescs]*syntax.Prog
	for i, d := range descs {
		if d == nil {
			// libphonenumber would dereference it; never seen in its data.
			return nil, errAutomaton("a number type without a description")
		}
		if len(d.PossibleLength) == 0 {
			a.anyLen[i] = true
		}
		for _, l := range d.PossibleLength {
			if l < 0 || l >= 64 {
				return nil, errAutomaton("possible length " + strconv.Itoa(int(l)))
			}
			a.lengths[i] |= 1 << l
		}
		re, err := syntax.Parse(d.GetNationalNumberPattern(), syntax.Perl)
		if err != nil {
			return nil, err
		}
		p, err := syntax.Compile(re.Simplify())
		if err != nil {
			return nil, err
		}
		for _, in := range p.Inst {
			if in.Op == syntax.InstEmptyWidth {
				return nil, errAutomaton("an assertion in a pattern")
			}
		}
		progs[i] = p
	}

	// Subset construction over (description, instruction) pairs.
	type item struct{ desc, pc int32 }
	var (
		states [][]item
		ids    = map[string]int32{}
		key    []byte
	)
	// closure adds pc and what it reaches without reading a digit.
	var closure func(set []item, seen map[item]bool, desc int32, pc uint32) []item
	closure = func(set []item, seen map[item]bool, desc int32, pc uint32) []item {
		it := item{desc, int32(pc)}
		if seen[it] {
			return set
		}
		seen[it] = true
		in := &progs[desc].Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			set = closure(set, seen, desc, in.Out)
			return closure(set, seen, desc, in.Arg)
		case syntax.InstCapture, syntax.InstNop:
			return closure(set, seen, desc, in.Out)
		case syntax.InstFail:
			return set
		}
		return append(set, it) // InstMatch or a rune instruction
	}
	intern := func(set []item) (int32, error) {
		slices.SortFunc(set, func(x, y item) int {
			return cmp.Or(cmp.Compare(x.desc, y.desc), cmp.Compare(x.pc, y.pc))
		})
		key = key[:0]
		for _, it := range set {
			key = strconv.AppendInt(key, int64(it.desc), 10)
			key = append(key, ':')
			key = strconv.AppendInt(key, int64(it.pc), 10)
			key = append(key, ',')
		}
		if id, ok := ids[string(key)]; ok {
			return id, nil
		}
		if len(states) >= maxAutomatonStates {
			return 0, errAutomaton("too many states")
		}
		id := int32(len(states))
		ids[string(key)] = id
		states = append(states, set)
		var m uint16
		for _, it := range set {
			if progs[it.desc].Inst[it.pc].Op == syntax.InstMatch {
				m |= 1 << it.desc
			}
		}
		a.matched = append(a.matched, m)
		a.next = append(a.next, [10]int32{})
		return id, nil
	}
	var start []item
	seen := map[item]bool{}
	for d := range int32(numDescs) {
		start = closure(start, seen, d, uint32(progs[d].Start))
	}
	if _, err := intern(start); err != nil {
		return nil, err
	}
	for s := 0; s < len(states); s++ {
		for digit := range 10 {
			var set []item
			seen := map[item]bool{}
			for _, it := range states[s] {
				in := &progs[it.desc].Inst[it.pc]
				if in.Op != syntax.InstMatch && in.MatchRune(rune('0'+digit)) {
					set = closure(set, seen, it.desc, in.Out)
				}
			}
			id := int32(-1)
			if len(set) > 0 {
				var err error
				if id, err = intern(set); err != nil {
					return nil, err
				}
			}
			a.next[s][digit] = id
		}
	}
	return a, nil
}

// valid reports what libphonenumber's getNumberTypeHelper(nat) != UNKNOWN
// reports, for a national significant number of digits only.
func (a *digitAutomaton) valid(nat string) bool {
	s := int32(0)
	for i := 0; i < len(nat); i++ {
		c := nat[i] - '0'
		if c > 9 {
			return false
		}
		if s = a.next[s][c]; s < 0 {
			return false
		}
	}
	m := a.matched[s]
	l := len(nat)
	is := func(d int) bool {
		return m&(1<<d) != 0 && (a.anyLen[d] || l < 64 && a.lengths[d]&(1<<l) != 0)
	}
	if !is(descGeneral) {
		return false
	}
	for d := descPremium; d <= descFixed; d++ {
		if is(d) {
			return true
		}
	}
	return !a.sameMobileFixed && is(descMobile)
}
