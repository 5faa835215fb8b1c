package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"

	"github.com/forensiclog/forensics/pkg/logparse"
)

// The same log stored twice with different compression (access.log in one
// folder, access.log.gz in another) is read once: contentDuplicates finds
// inputs whose decompressed bytes have the same SHA-256 as an earlier
// input's. As for identical files (duplicateInputs), the later input in
// reading order is not read; the manifest names it with duplicate_of (the
// earlier input) and duplicate_by: "content" (identical files say
// "bytes"), and a warning says so on stderr.
//
// Hashing decompressed bytes costs a pass over them, so only candidates
// are hashed: inputs whose decompressed size equals another's. That size
// is known without decompressing for plain files, gzip (the trailer's
// ISIZE: the size modulo 2^32, of a single-member file) and zstd (the
// frame's content size, which the zstd tool writes); a bzip2 or xz input,
// whose size is not stored, is hashed when some other input is at least as
// large as its compressed bytes. A multi-member gzip whose last member's
// size differs is not found. Standard input is never a candidate.

// contentSize returns the decompressed size of in, modulo 2^32 for gzip,
// and whether it is known without decompressing.
func contentSize(in logparse.Input) (size int64, mod32, ok bool) {
	switch in.Compression {
	case logparse.CompressionNone:
		return in.Size, false, in.Size >= 0
	case logparse.CompressionGzip:
		f, err := os.Open(in.Path)
		if err != nil || in.Size < 18 {
			return 0, false, false
		}
		defer f.Close()
		var b [4]byte
		if _, err := f.ReadAt(b[:], in.Size-4); err != nil {
			return 0, false, false
		}
		return int64(binary.LittleEndian.Uint32(b[:])), true, true
	case logparse.CompressionZstd:
		f, err := os.Open(in.Path)
		if err != nil {
			return 0, false, false
		}
		defer f.Close()
		b := make([]byte, zstd.HeaderMaxSize)
		n, _ := io.ReadFull(f, b)
		var h zstd.Header
		if h.Decode(b[:n]) != nil || !h.HasFCS {
			return 0, false, false
		}
		return int64(h.FrameContentSize), false, true
	}
	return 0, false, false
}

// contentDigest returns the SHA-256 of in's decompressed bytes, or ok
// false when in cannot be read to its end.
func contentDigest(in logparse.Input) (sum string, ok bool) {
	r, err := in.Open()
	if err != nil {
		return "", false
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", false
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// contentDuplicates adds to dups (duplicate -> original, by input index)
// the inputs whose decompressed bytes equal an earlier input's, and
// returns the indexes it added.
func contentDuplicates(inputs []logparse.Input, dups map[int]int) map[int]bool {
	type cand struct {
		i     int
		size  int64
		mod32 bool
	}
	var known []cand
	var unknown []int
	var largest int64
	compressed := false
	for i, in := range inputs {
		if _, dup := dups[i]; dup || in.Stdin() || in.Err != nil || in.Size < 0 {
			continue
		}
		if in.Compression != logparse.CompressionNone {
			compressed = true
		}
		if s, m, ok := contentSize(in); ok {
			known = append(known, cand{i, s, m})
			largest = max(largest, s)
		} else {
			unknown = append(unknown, i)
		}
	}
	added := map[int]bool{}
	if !compressed {
		return added // identical plain files are duplicateInputs' job
	}
	// Candidates: a known size that another input shares (modulo 2^32
	// where one side is gzip), and the unknown sizes that could match.
	hash := map[int]bool{}
	for a := range known {
		for b := a + 1; b < len(known); b++ {
			x, y := known[a], known[b]
			same := x.size == y.size
			if x.mod32 || y.mod32 {
				same = uint32(x.size) == uint32(y.size)
			}
			if same && inputs[x.i].Compression != inputs[y.i].Compression {
				hash[x.i], hash[y.i] = true, true
			}
		}
	}
	for _, i := range unknown {
		if largest >= inputs[i].Size || len(unknown) > 1 {
			hash[i] = true
			for _, k := range known {
				if k.size >= inputs[i].Size {
					hash[k.i] = true
				}
			}
		}
	}
	seen := map[string]int{}
	for i := range inputs {
		if !hash[i] {
			continue
		}
		sum, ok := contentDigest(inputs[i])
		if !ok {
			continue
		}
		if j, dup := seen[sum]; dup {
			dups[i] = j
			added[i] = true
			continue
		}
		seen[sum] = i
	}
	return added
}
