package exposure

import (
	"strconv"
	"strings"
)

// A span is a half-open byte range [Start, End).
type span struct{ Start, End int64 }

// spanSet is a union of byte ranges, kept sorted and disjoint.
type spanSet []span

// add merges [start, end) into the set.
func (s spanSet) add(start, end int64) spanSet {
	if end <= start {
		return s
	}
	// Find the first span that ends at or after start.
	i := 0
	for i < len(s) && s[i].End < start {
		i++
	}
	j := i
	for j < len(s) && s[j].Start <= end {
		if s[j].Start < start {
			start = s[j].Start
		}
		if s[j].End > end {
			end = s[j].End
		}
		j++
	}
	if i == j {
		s = append(s, span{})
		copy(s[i+1:], s[i:])
		s[i] = span{start, end}
		return s
	}
	s[i] = span{start, end}
	return append(s[:i+1], s[j:]...)
}

// union merges another set into s.
func (s spanSet) union(o spanSet) spanSet {
	for _, sp := range o {
		s = s.add(sp.Start, sp.End)
	}
	return s
}

// covered returns the number of bytes in the set within [0, size); with
// size <= 0, all bytes in the set.
func (s spanSet) covered(size int64) int64 {
	var n int64
	for _, sp := range s {
		start, end := sp.Start, sp.End
		if size > 0 && end > size {
			end = size
		}
		if end > start {
			n += end - start
		}
	}
	return n
}

// byteRange is a resolved range request: bytes [first, last] of a file, or
// a suffix of n bytes when first < 0.
type byteRange struct {
	first, last int64 // last < 0: open-ended ("bytes=100-")
	suffix      int64 // > 0: the last suffix bytes ("bytes=-500")
}

// parseRangeHeader parses a Range request header ("bytes=0-1023",
// "bytes=500-", "bytes=-500", "bytes=0-99,200-299") into dst[:0]. It returns
// nil when the header is absent or not a bytes range. It does not allocate
// when dst has room.
func parseRangeHeader(h string, dst []byteRange) []byteRange {
	h = strings.TrimSpace(h)
	if h == "" || h == "-" {
		return nil
	}
	unit, set, ok := strings.Cut(h, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return nil
	}
	out := dst[:0]
	for set != "" {
		var part string
		part, set, _ = strings.Cut(set, ",")
		part = strings.TrimSpace(part)
		a, b, ok := strings.Cut(part, "-")
		if !ok {
			return nil
		}
		switch {
		case a == "" && b != "":
			n, err := strconv.ParseInt(b, 10, 64)
			if err != nil || n <= 0 {
				return nil
			}
			out = append(out, byteRange{first: -1, last: -1, suffix: n})
		case a != "":
			first, err := strconv.ParseInt(a, 10, 64)
			if err != nil || first < 0 {
				return nil
			}
			last := int64(-1)
			if b != "" {
				last, err = strconv.ParseInt(b, 10, 64)
				if err != nil || last < first {
					return nil
				}
			}
			out = append(out, byteRange{first: first, last: last})
		default:
			return nil
		}
	}
	return out
}

// resolve returns the half-open span the range selects in a file of the
// given size (size <= 0: unknown).
func (r byteRange) resolve(size int64) (span, bool) {
	if r.suffix > 0 {
		if size <= 0 {
			return span{}, false
		}
		start := size - r.suffix
		if start < 0 {
			start = 0
		}
		return span{start, size}, true
	}
	end := r.last + 1
	if r.last < 0 {
		if size <= 0 {
			return span{r.first, -1}, true // open end, size unknown
		}
		end = size
	}
	if size > 0 && end > size {
		end = size
	}
	if size > 0 && r.first >= size {
		return span{}, false
	}
	return span{r.first, end}, true
}

// parseContentRange parses "bytes 0-1023/4096" (also "bytes 0-1023/*").
func parseContentRange(h string) (span, int64, bool) {
	h = strings.TrimSpace(h)
	rest, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return span{}, 0, false
	}
	rng, total, ok := strings.Cut(rest, "/")
	if !ok {
		return span{}, 0, false
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return span{}, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first {
		return span{}, 0, false
	}
	size := int64(-1)
	if total != "*" {
		n, err := strconv.ParseInt(total, 10, 64)
		if err != nil {
			return span{}, 0, false
		}
		size = n
	}
	return span{first, last + 1}, size, true
}
