package bench

// rng is SplitMix64: small, fast, and the same stream on every Go release
// (math/rand promises neither), so a seed gives the same files forever.
type rng struct{ s uint64 }

// mix derives an independent seed from a seed, a stream and an index: every
// chunk, recording, person and client draws from its own stream, so the
// output does not depend on the number of workers.
func mix(seed, stream, i uint64) uint64 {
	r := rng{s: seed ^ stream*0xd1342543de82ef95 ^ i*0x9e3779b97f4a7c15}
	r.next()
	return r.next()
}

func newRNG(seed, stream, i uint64) rng { return rng{s: mix(seed, stream, i)} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n); the modulo bias is irrelevant here.
func (r *rng) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return int(r.next() % uint64(n))
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// per returns true with probability p per mille.
func (r *rng) per(p int) bool { return r.intn(1000) < p }

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// Streams: one per kind of thing drawn, so that adding draws to one kind
// does not shift another.
const (
	streamRecording uint64 = iota + 1
	streamCall
	streamPerson
	streamClient
	streamLogChunk
	streamIndexChunk
)
