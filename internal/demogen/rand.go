package demogen

// rng is a small deterministic generator (SplitMix64). The demo must come
// out byte for byte the same on every Go release, so it does not use
// math/rand, whose streams are not promised to stay the same.
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng { return &rng{s: seed} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n). The tiny modulo bias is irrelevant here.
func (r *rng) intn(n int) int {
	if n <= 0 {
		panic("demogen: intn of a non-positive bound")
	}
	return int(r.next() % uint64(n))
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance returns true with probability p percent.
func (r *rng) chance(p int) bool { return r.intn(100) < p }

// pick returns one element of s.
func pick[T any](r *rng, s []T) T { return s[r.intn(len(s))] }

// shuffle shuffles s in place (Fisher-Yates).
func shuffle[T any](r *rng, s []T) {
	for i := len(s) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}
