package exposure

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// minuteSet is the set of minutes in which a log source logged anything:
// bounded memory (a bit per minute of the logs' time range), whatever the
// number of lines.
type minuteSet struct {
	chunks map[int64]*[minuteChunk / 64]uint64
}

const minuteChunk = 1 << 16 // minutes per chunk, about 45 days

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (m *minuteSet) add(t time.Time) {
	min := floorDiv(t.Unix(), 60)
	c := floorDiv(min, minuteChunk)
	off := min - c*minuteChunk
	if m.chunks == nil {
		m.chunks = make(map[int64]*[minuteChunk / 64]uint64)
	}
	ch := m.chunks[c]
	if ch == nil {
		ch = new([minuteChunk / 64]uint64)
		m.chunks[c] = ch
	}
	ch[off/64] |= 1 << (off % 64)
}

func (m *minuteSet) merge(o *minuteSet) {
	for c, och := range o.chunks {
		if m.chunks == nil {
			m.chunks = make(map[int64]*[minuteChunk / 64]uint64)
		}
		ch := m.chunks[c]
		if ch == nil {
			ch = new([minuteChunk / 64]uint64)
			m.chunks[c] = ch
		}
		for i := range ch {
			ch[i] |= och[i]
		}
	}
}

// minutes returns the set's minutes (Unix minutes), sorted.
func (m *minuteSet) minutes() []int64 {
	keys := make([]int64, 0, len(m.chunks))
	for c := range m.chunks {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	var out []int64
	for _, c := range keys {
		ch := m.chunks[c]
		for i, w := range ch {
			for w != 0 {
				b := bits.TrailingZeros64(w)
				out = append(out, c*minuteChunk+int64(i*64+b))
				w &= w - 1
			}
		}
	}
	return out
}

// coverage returns the minute set of an input. Inputs are grouped into
// sources (Options.SourceOf) when shards merge, not per line.
func (s *Shard) coverage(input string) *minuteSet {
	if s.lastSet != nil && s.lastInput == input {
		return s.lastSet
	}
	m := s.cover[input]
	if m == nil {
		m = &minuteSet{}
		input = strings.Clone(input)
		s.cover[input] = m
	}
	s.lastInput, s.lastSet = input, m
	s.lastID = s.e.inputID(input)
	return m
}

// Interval is a half-open time interval [Start, End).
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Duration returns End - Start.
func (i Interval) Duration() time.Duration { return i.End.Sub(i.Start) }

// Coverage says which times the logs cover.
type Coverage struct {
	// Gap is the silence that counts as a gap, and GapReason why it was
	// chosen.
	Gap       time.Duration
	GapReason string
	// Window is the time the data was exposed.
	Window Interval
	// Sources are the log sources with the spans they cover.
	Sources []SourceCoverage
	// Uncovered are the parts of Window that no source covers, sorted.
	Uncovered []Interval
}

// SourceCoverage is one log source's covered spans and the gaps between.
type SourceCoverage struct {
	Source string
	Spans  []Interval
	Gaps   []Interval
}

// chooseGap picks the gap threshold from the traffic: three times the
// 99th percentile of the silences between logged minutes, at least an hour
// and at most a week.
func chooseGap(sets map[string][]int64) (time.Duration, string) {
	var gaps []int64
	for _, mins := range sets {
		for i := 1; i < len(mins); i++ {
			gaps = append(gaps, mins[i]-mins[i-1])
		}
	}
	if len(gaps) == 0 {
		return time.Hour, "no traffic to learn from: 1h"
	}
	slices.Sort(gaps)
	p99 := time.Duration(gaps[(len(gaps)-1)*99/100]) * time.Minute
	g := 3 * p99
	if g < time.Hour {
		g = time.Hour
	}
	if g > 7*24*time.Hour {
		g = 7 * 24 * time.Hour
	}
	return g, fmt.Sprintf("3 x the 99th percentile (%s) of %d silences between logged minutes, clamped to [1h, 7d]: %s", p99, len(gaps), g)
}

// computeCoverage builds the coverage from each source's logged minutes.
func computeCoverage(sets map[string][]int64, gap time.Duration, window Interval, reason string) Coverage {
	cov := Coverage{Gap: gap, GapReason: reason, Window: window}
	gapMin := int64(gap / time.Minute)
	names := make([]string, 0, len(sets))
	for n := range sets {
		names = append(names, n)
	}
	slices.Sort(names)
	var all []Interval
	for _, n := range names {
		mins := sets[n]
		sc := SourceCoverage{Source: n}
		for i := 0; i < len(mins); {
			j := i
			for j+1 < len(mins) && mins[j+1]-mins[j] <= gapMin {
				j++
			}
			sp := Interval{time.Unix(mins[i]*60, 0).UTC(), time.Unix((mins[j]+1)*60, 0).UTC()}
			if len(sc.Spans) > 0 {
				sc.Gaps = append(sc.Gaps, Interval{sc.Spans[len(sc.Spans)-1].End, sp.Start})
			}
			sc.Spans = append(sc.Spans, sp)
			i = j + 1
		}
		all = append(all, sc.Spans...)
		cov.Sources = append(cov.Sources, sc)
	}
	// Uncovered = window minus the union of all spans. A silence at either
	// end of the window shorter than the gap is no gap, as inside the logs.
	slices.SortFunc(all, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	if len(all) > 0 {
		if d := all[0].Start.Sub(window.Start); d > 0 && d <= gap {
			all[0].Start = window.Start
		}
		last := all[0].End
		for _, sp := range all {
			if sp.End.After(last) {
				last = sp.End
			}
		}
		if d := window.End.Sub(last); d > 0 && d <= gap {
			all = append(all, Interval{last, window.End})
		}
	}
	cur := window.Start
	for _, sp := range all {
		if !sp.End.After(cur) {
			continue
		}
		if sp.Start.After(cur) {
			end := sp.Start
			if end.After(window.End) {
				end = window.End
			}
			if end.After(cur) {
				cov.Uncovered = append(cov.Uncovered, Interval{cur, end})
			}
		}
		cur = sp.End
		if !cur.Before(window.End) {
			break
		}
	}
	if cur.Before(window.End) {
		cov.Uncovered = append(cov.Uncovered, Interval{cur, window.End})
	}
	return cov
}

// gapAfter returns the first uncovered interval that ends after t: a file
// available from t was exposed while no log was watching.
func (c *Coverage) gapAfter(t time.Time) (Interval, bool) {
	for _, g := range c.Uncovered {
		if g.End.After(t) {
			return g, true
		}
	}
	return Interval{}, false
}
