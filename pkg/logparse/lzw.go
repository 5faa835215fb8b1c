package logparse

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// A compressReader decompresses the output of Unix compress (.Z files):
// LZW with codes of 9 to maxbits bits, least significant bit first, in
// groups of 8 codes. compress starts a new group when the code width
// grows and after a CLEAR code (block mode), and the decoder skips the
// rest of the group then, as ncompress's does.
//
// The format has no end marker nor length: a stream cut short reads as a
// shorter one, every byte of the whole codes before the cut. A code that
// cannot be (beyond the table) is an error.
type compressReader struct {
	r         *bufio.Reader
	maxbits   int
	blockMode bool

	nbits   int
	maxcode int // the width grows when free exceeds it
	free    int // the next table entry
	prefix  []uint16
	suffix  []byte
	oldcode int // -1 before the first code
	finchar byte

	// Codes are read a group at a time: n bits, 8 codes.
	group []byte
	gbits int // bits of group holding whole codes
	gpos  int // bit position in group
	ended bool

	out  []byte // decoded, not yet read
	outp int
	err  error
}

const (
	lzwClear     = 256
	lzwInitBits  = 9
	compressMaxB = 16
)

var errCompressData = errors.New("corrupt compress (.Z) data")

// newCompressReader reads the 3-byte header (magic, flags) and returns a
// reader of the decompressed bytes.
func newCompressReader(r *bufio.Reader) (*compressReader, error) {
	var h [3]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if h[0] != 0x1f || h[1] != 0x9d {
		return nil, errCompressData
	}
	maxbits := int(h[2] & 0x1f)
	if maxbits < lzwInitBits || maxbits > compressMaxB {
		return nil, fmt.Errorf("compress: %d-bit codes not supported", maxbits)
	}
	z := &compressReader{r: r, maxbits: maxbits, blockMode: h[2]&0x80 != 0, oldcode: -1}
	z.prefix = make([]uint16, 1<<maxbits)
	z.suffix = make([]byte, 1<<maxbits)
	for i := range 256 {
		z.suffix[i] = byte(i)
	}
	z.setWidth(lzwInitBits)
	z.free = 256
	if z.blockMode {
		z.free = 257
	}
	return z, nil
}

// setWidth starts a new group of codes of n bits. At the start and after
// a CLEAR (n is 9) the width grows when the table passes 511 entries, also
// with 9-bit tables, as gzip's and compress 4's decoders do; after a growth
// to maxbits, never.
func (z *compressReader) setWidth(n int) {
	z.nbits = n
	z.maxcode = 1<<n - 1
	if n == z.maxbits && n != lzwInitBits {
		z.maxcode = 1 << n // never exceeded: the table stops growing
	}
	z.gbits, z.gpos = 0, 0 // a new group
}

// code returns the next code, or -1 at the end of the input.
func (z *compressReader) code() (int, error) {
	if z.gpos+z.nbits > z.gbits {
		// Read the next group: nbits bytes, 8 codes (fewer at the end).
		if z.ended {
			return -1, nil
		}
		if cap(z.group) < z.nbits {
			z.group = make([]byte, compressMaxB)
		}
		g := z.group[:z.nbits]
		n, err := io.ReadFull(z.r, g)
		switch {
		case err == io.EOF:
			z.ended = true
			return -1, nil
		case err == io.ErrUnexpectedEOF:
			z.ended = true
			// Whole codes of a short last group are data; a few bits
			// left over are padding.
		case err != nil:
			return -1, err
		}
		z.group, z.gbits, z.gpos = z.group[:cap(z.group)], n*8/z.nbits*z.nbits, 0
		if z.gbits == 0 {
			return -1, nil
		}
	}
	// LSB first: the code's bits start at gpos.
	g := z.group
	byteAt, shift := z.gpos>>3, z.gpos&7
	v := int(g[byteAt]) >> shift
	have := 8 - shift
	for i := byteAt + 1; have < z.nbits; i++ {
		v |= int(g[i]) << have
		have += 8
	}
	z.gpos += z.nbits
	return v & (1<<z.nbits - 1), nil
}

func (z *compressReader) Read(p []byte) (int, error) {
	for z.outp == len(z.out) {
		if z.err != nil {
			return 0, z.err
		}
		z.out, z.outp = z.out[:0], 0
		z.decode(32 << 10)
	}
	n := copy(p, z.out[z.outp:])
	z.outp += n
	return n, nil
}

// decode decodes codes until about limit bytes are out, or an error (kept
// in z.err, after the bytes before it).
func (z *compressReader) decode(limit int) {
	var stack [1 << compressMaxB]byte
	for len(z.out) < limit {
		if z.free > z.maxcode {
			z.setWidth(z.nbits + 1)
		}
		code, err := z.code()
		if err != nil {
			z.err = err
			return
		}
		if code < 0 {
			z.err = io.EOF
			return
		}
		if z.oldcode == -1 {
			if code >= 256 {
				z.err = errCompressData
				return
			}
			z.oldcode, z.finchar = code, byte(code)
			z.out = append(z.out, byte(code))
			continue
		}
		if code == lzwClear && z.blockMode {
			// The table starts again; compress's decoder leaves free one
			// short, the next code's entry fills it.
			z.free = 256
			z.setWidth(lzwInitBits)
			continue
		}
		in := code
		sp := len(stack)
		if code >= z.free {
			if code > z.free {
				z.err = errCompressData
				return
			}
			sp--
			stack[sp] = z.finchar // KwKwK
			code = z.oldcode
		}
		for code >= 256 {
			sp--
			stack[sp] = z.suffix[code]
			code = int(z.prefix[code])
		}
		z.finchar = z.suffix[code]
		sp--
		stack[sp] = z.finchar
		z.out = append(z.out, stack[sp:]...)
		if z.free < 1<<z.maxbits {
			z.prefix[z.free] = uint16(z.oldcode)
			z.suffix[z.free] = z.finchar
			z.free++
		}
		z.oldcode = in
	}
}
