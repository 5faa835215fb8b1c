package logparse

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/forensiclog/forensics/internal/xz"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Compression names, as Input.Compression and InputReader.Compression
// give them. Compression is recognised by the first bytes of an input,
// never by its name.
const (
	CompressionNone  = "none"
	CompressionGzip  = "gzip"
	CompressionBzip2 = "bzip2"
	CompressionZstd  = "zstd"
	CompressionXz    = "xz"
	// CompressionCompress is Unix compress (.Z, LZW).
	CompressionCompress = "compress"
	// CompressionLZ4 is the LZ4 frame format (.lz4).
	CompressionLZ4 = "lz4"
)

// StdinName is the Name of the Input that reads standard input.
const StdinName = "<stdin>"

// An Input is one log to read: a file, or standard input.
//
// ExpandInputs makes Inputs from command-line arguments. An Input is a
// plain value; Open starts reading it. An Input made by ReaderInput wraps
// an io.Reader and can be opened once.
type Input struct {
	// Name names the input in records (Record.Source) and errors: the
	// path as expanded, or StdinName.
	Name string
	// Path is the file to open, or "-" for standard input.
	Path string
	// Source is the log source the input belongs to: its rotated set,
	// named as SourceOf names it (access.log for access.log.2.gz). The
	// format of a source's files is detected from them together (see
	// DetectSource), and their records are one stream in time. Not to be
	// confused with Record.Source, which names the input.
	Source string
	// Compression is the compression found at the start of the file by
	// ExpandInputs (one of the Compression* names), or "" when not known
	// yet (standard input, a pipe). Open finds it again in any case.
	Compression string
	// Size is the file's size in bytes as on disk, or -1 when not known
	// (standard input, a pipe).
	Size int64
	// ModTime is the file's modification time, the zero Time when not
	// known.
	ModTime time.Time
	// Err, when not nil, is why the input cannot be read, as ExpandInputs
	// found it in a folder walk: a dangling symbolic link, a file or a
	// subfolder that cannot be read. Such an input stands in the list so
	// that it is reported as failed while the others are read; Open
	// returns Err.
	Err error

	r io.Reader // for ReaderInput
}

// A SkippedInput is a file a folder walk of ExpandInputsSkipped found but
// does not read: a named pipe (reading it could block for ever), a device
// (it may never end: /dev/zero) or a socket. Named on the command line,
// such a file is read.
type SkippedInput struct {
	// Name is the path as expanded.
	Name string
	// Kind is "named pipe", "device", "socket" or "irregular file".
	Kind string
}

// Stdin reports whether in reads standard input.
func (in Input) Stdin() bool { return in.Path == "-" && in.r == nil }

// ReaderInput returns an Input that reads r under the given name, for
// inputs that are not files (an upload, a test). Its Open can be called
// once; r is not closed by InputReader.Close unless it is an io.Closer.
func ReaderInput(name string, r io.Reader) Input {
	return Input{Name: name, Path: "-", Source: SourceOf(name), Size: -1, r: r}
}

// ExpandInputs turns command-line arguments into inputs:
//
//   - a file is an input (also a named pipe, such as /dev/fd/63);
//   - a directory stands for every regular file directly in it, whatever
//     its name (dot files too: nothing that could be a log is left out),
//     and its subdirectories in turn, but for those whose name begins
//     with a dot (.git, .snapshot);
//   - an argument that does not exist and holds glob metacharacters
//     (* ? [) is expanded with filepath.Glob, and each match is taken as
//     above; a glob that matches nothing is an error;
//   - "-" is standard input, read after the files.
//
// A file named twice is an input once. Each input's Source is its rotated
// set (see SourceOf, whose naming rules decide both membership and order).
// The files are ordered by directory, then by source, so that the files of
// a source are next to each other, oldest first: date-stamped names
// (access.log-20190201, access.log-2019-02-02.gz, u_ex190203.log) by date
// ascending, then numbered names with the highest number first
// (access.log.3.gz, access.log.2.gz, access.log.1), then the live file
// (access.log). Compression suffixes are ignored for naming only;
// compression itself is found from the bytes.
//
// A missing argument, an unreadable directory given as an argument or an
// empty argument list is an error. In a folder walk, an entry that cannot
// be read (a dangling symbolic link, a file or subfolder without
// permission) is an Input whose Err says why, so that the caller reports
// it and reads the rest; named pipes, devices and sockets are skipped
// (see ExpandInputsSkipped).
func ExpandInputs(args []string) ([]Input, error) {
	files, _, err := ExpandInputsSkipped(args)
	return files, err
}

// ExpandInputsSkipped is ExpandInputs, and also returns the files its
// folder walks skipped, in walk order: named pipes, devices and sockets.
func ExpandInputsSkipped(args []string) ([]Input, []SkippedInput, error) {
	if len(args) == 0 {
		return nil, nil, errors.New("logparse: no inputs given")
	}
	var files []Input
	var skipped []SkippedInput
	seen := make(map[string]bool)
	seenDirs := make(map[string]bool)
	stdin := false
	add := func(path string, fi fs.FileInfo) {
		clean := filepath.Clean(path)
		if seen[clean] {
			return
		}
		seen[clean] = true
		in := Input{Name: clean, Path: clean, Source: SourceOf(clean), Size: -1, ModTime: fi.ModTime()}
		if fi.Mode().IsRegular() {
			in.Size = fi.Size()
			in.Compression = sniffFile(clean)
		}
		files = append(files, in)
	}
	// failed adds an entry of a folder walk that cannot be read.
	failed := func(path string, err error) {
		clean := filepath.Clean(path)
		if seen[clean] {
			return
		}
		seen[clean] = true
		if fi, lerr := os.Lstat(clean); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 && errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("dangling symbolic link: %w", err)
		}
		files = append(files, Input{Name: clean, Path: clean, Source: SourceOf(clean), Size: -1, Err: err})
	}
	var expand func(arg string, fromGlob bool) error
	expand = func(arg string, fromGlob bool) error {
		fi, err := os.Stat(arg)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && !fromGlob && strings.ContainsAny(arg, "*?[") {
				matches, gerr := filepath.Glob(arg)
				if gerr != nil {
					return fmt.Errorf("logparse: bad pattern %q: %w", arg, gerr)
				}
				if len(matches) == 0 {
					return fmt.Errorf("logparse: no file matches %q", arg)
				}
				for _, m := range matches {
					if err := expand(m, true); err != nil {
						return err
					}
				}
				return nil
			}
			return fmt.Errorf("logparse: input: %w", err)
		}
		if !fi.IsDir() {
			add(arg, fi)
			return nil
		}
		// A symbolic link back up the tree must not loop.
		real, err := filepath.EvalSymlinks(arg)
		if err != nil {
			return fmt.Errorf("logparse: input: %w", err)
		}
		if seenDirs[real] {
			return nil
		}
		seenDirs[real] = true
		entries, err := os.ReadDir(arg)
		if err != nil {
			if fromGlob {
				// A subfolder (or a glob match) that cannot be listed:
				// its failure, the rest is read.
				failed(arg, err)
				return nil
			}
			return fmt.Errorf("logparse: input: %w", err)
		}
		for _, e := range entries {
			p := filepath.Join(arg, e.Name())
			efi, err := os.Stat(p) // follows symbolic links
			if err != nil {
				failed(p, err)
				continue
			}
			switch {
			case efi.Mode().IsRegular():
				add(p, efi)
			case efi.IsDir() && !strings.HasPrefix(e.Name(), "."):
				// A folder of log folders (one per server or vhost).
				if err := expand(p, true); err != nil {
					return err
				}
			case !efi.IsDir():
				skipped = append(skipped, SkippedInput{Name: filepath.Clean(p), Kind: fileKind(efi.Mode())})
			}
		}
		return nil
	}
	for _, arg := range args {
		if arg == "" {
			return nil, nil, errors.New("logparse: empty input name")
		}
		if arg == "-" {
			stdin = true
			continue
		}
		if err := expand(arg, false); err != nil {
			return nil, nil, err
		}
	}
	slices.SortStableFunc(files, func(a, b Input) int { return compareRotation(a.Path, b.Path) })
	if stdin {
		files = append(files, Input{Name: StdinName, Path: "-", Source: StdinName, Size: -1})
	}
	return files, skipped, nil
}

// fileKind names the kind of a file that is neither regular nor a
// folder.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "irregular file"
}

// rotation classes, in reading order.
const (
	rotDated    = iota // a date in the name: oldest date first
	rotSequence        // IIS size-based u_extend1.log, u_extend2.log: lowest first
	rotNumbered        // logrotate's .1, .2: highest number (oldest) first
	rotLive            // the name without rotation suffix: the newest
)

type rotationKey struct {
	dir, base string // base: the name without rotation and compression suffixes
	class     int
	num       int64  // rotNumbered, rotSequence: the number
	date      string // rotDated: the date digits (YYYYMMDD..., or YYMMDD... for IIS)
}

// compressionSuffixes are left out of a name to find its source. They do
// not decide how a file is read: compression is found from its bytes.
var compressionSuffixes = []string{".gz", ".bz2", ".zst", ".zstd", ".xz", ".Z", ".lz4", ".lzma"}

// SourceOf returns the log source that a file name belongs to: the rotated
// set of files that one server wrote one after another, named by the path
// with the rotation and compression suffixes removed. ExpandInputs sets
// Input.Source with it, and orders the files of a source oldest first.
// The naming rules, one set for the whole library:
//
//   - a compression suffix is left out: .gz, .bz2, .zst, .zstd, .xz, .Z,
//     .lz4, .lzma (access.log.2.gz is access.log.2);
//   - numbered rotation (logrotate, newsyslog): access.log.1,
//     access.log.12 belong to access.log, the highest number being the
//     oldest;
//   - dated rotation after "-", "." or "_": access.log-20190211,
//     access.log-2019021113 (with the hour), access.log-2019-02-11,
//     access.log.2019-02-11, access.log_20190211; also before a ".log"
//     extension: access-2019-02-11.log belongs to access.log. Oldest date
//     first. A dotted suffix of 8 digits is a date only when it reads as
//     one (year 1970 to 2099, a valid month and day); otherwise it is a
//     number;
//   - IIS: u_exYYMMDD.log (daily), u_exYYMMDDHH.log (hourly), u_exYYMM.log
//     (monthly), u_exYYMMWW.log (weekly) and u_extendN.log (by size) all
//     belong to u_ex.log in their folder: an IIS site folder (W3SVC1) is
//     one source. The same holds for the ex, nc, u_nc, in and u_in
//     prefixes of IIS's W3C (ex), NCSA (nc) and IIS (in) formats, and for
//     upper-case names;
//   - anything else is its own source (the live file of its set).
//
// Files of different folders are never one source. SourceOf does not
// touch the file system.
func SourceOf(name string) string {
	if name == StdinName {
		return name
	}
	k := parseRotation(name)
	return k.dir + k.base
}

// parseRotation splits a file path into its rotation group and position.
func parseRotation(path string) rotationKey {
	dir, name := filepath.Split(path)
	for _, s := range compressionSuffixes {
		if n, ok := strings.CutSuffix(name, s); ok && n != "" {
			name = n
			break
		}
	}
	k := rotationKey{dir: dir, base: name, class: rotLive}
	if iis, ok := parseIISName(name); ok {
		iis.dir = dir
		return iis
	}
	if rest, date, ok := cutDate(name); ok {
		k.base, k.class, k.date = rest, rotDated, date
		return k
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 && allDigits(name[i+1:]) && len(name)-i-1 <= 9 {
		n, _ := strconv.ParseInt(name[i+1:], 10, 64)
		k.base, k.class, k.num = name[:i], rotNumbered, n
		return k
	}
	// A date before the extension: access-2019-02-11.log.
	for _, ext := range []string{".log", ".txt"} {
		if stem, ok := strings.CutSuffix(name, ext); ok {
			if rest, date, ok := cutDate(stem); ok {
				k.base, k.class, k.date = rest+ext, rotDated, date
				return k
			}
		}
	}
	return k
}

// cutDate cuts a rotation date from the end of name: a separator ("-",
// "." or "_") and YYYY-MM-DD, or YYYYMMDD with up to 6 more digits (hour,
// minute, second). It returns the name before the separator and the date
// digits.
func cutDate(name string) (rest, date string, ok bool) {
	// YYYY-MM-DD
	if n := len(name); n > 11 {
		d := name[n-10:]
		if isSep(name[n-11]) && d[4] == '-' && d[7] == '-' && allDigits(d[:4]) && allDigits(d[5:7]) && allDigits(d[8:]) {
			digits := d[:4] + d[5:7] + d[8:]
			if plausibleDate(digits) {
				return name[:n-11], digits, true
			}
		}
	}
	i := strings.LastIndexAny(name, "-._")
	if i <= 0 {
		return "", "", false
	}
	d := name[i+1:]
	if len(d) < 8 || len(d) > 14 || len(d)%2 != 0 || !allDigits(d) || !plausibleDate(d[:8]) {
		return "", "", false
	}
	return name[:i], d, true
}

func isSep(c byte) bool { return c == '-' || c == '.' || c == '_' }

// plausibleDate reports whether 8 digits read as a date YYYYMMDD between
// 1970 and 2099.
func plausibleDate(d string) bool {
	y, _ := strconv.Atoi(d[:4])
	m, _ := strconv.Atoi(d[4:6])
	day, _ := strconv.Atoi(d[6:8])
	return y >= 1970 && y <= 2099 && m >= 1 && m <= 12 && day >= 1 && day <= 31
}

// iisPrefixes are the file name prefixes of IIS's log formats: W3C (ex),
// NCSA (nc) and IIS (in), with u_ when the log is UTF-8.
var iisPrefixes = []string{"u_ex", "u_nc", "u_in", "ex", "nc", "in"}

// parseIISName recognises IIS's log file names: prefix, YYMM, YYMMDD,
// YYMMWW or YYMMDDHH, ".log"; or prefix "tend" N ".log" (by size).
func parseIISName(name string) (rotationKey, bool) {
	lower := strings.ToLower(name)
	stem, ok := strings.CutSuffix(lower, ".log")
	if !ok {
		return rotationKey{}, false
	}
	for _, p := range iisPrefixes {
		rest, ok := strings.CutPrefix(stem, p)
		if !ok {
			continue
		}
		base := name[:len(p)] + name[len(stem):] // the prefix and ".log" as spelt
		if n, ok := strings.CutPrefix(rest, "tend"); ok && allDigits(n) && len(n) <= 9 {
			num, _ := strconv.ParseInt(n, 10, 64)
			return rotationKey{base: base, class: rotSequence, num: num}, true
		}
		switch len(rest) {
		case 4, 6, 8:
			if allDigits(rest) {
				if m, _ := strconv.Atoi(rest[2:4]); m >= 1 && m <= 12 {
					return rotationKey{base: base, class: rotDated, date: rest}, true
				}
			}
		}
	}
	return rotationKey{}, false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// compareRotation orders paths for reading: by directory, base name,
// then oldest first within a rotated set.
func compareRotation(a, b string) int {
	ka, kb := parseRotation(a), parseRotation(b)
	if c := strings.Compare(ka.dir, kb.dir); c != 0 {
		return c
	}
	if c := strings.Compare(ka.base, kb.base); c != 0 {
		return c
	}
	if ka.class != kb.class {
		return ka.class - kb.class
	}
	switch ka.class {
	case rotNumbered:
		if ka.num != kb.num {
			if ka.num > kb.num {
				return -1
			}
			return 1
		}
	case rotSequence:
		if ka.num != kb.num {
			if ka.num < kb.num {
				return -1
			}
			return 1
		}
	case rotDated:
		// Dates of different precision (a day, an hour) compare on
		// their common digits first; at equal digits the shorter (the
		// whole day) comes first.
		n := min(len(ka.date), len(kb.date))
		if c := strings.Compare(ka.date[:n], kb.date[:n]); c != 0 {
			return c
		}
		if len(ka.date) != len(kb.date) {
			return len(ka.date) - len(kb.date)
		}
	}
	return strings.Compare(a, b)
}

// sniffFile returns the compression of the file at path from its first
// bytes, or "" when it cannot be read.
func sniffFile(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var b [8]byte
	n, _ := io.ReadFull(f, b[:])
	return sniffCompression(b[:n])
}

var (
	magicGzip = []byte{0x1f, 0x8b}
	magicBz2  = []byte("BZh")
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicXz   = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicZ    = []byte{0x1f, 0x9d}
	magicLZ4  = []byte{0x04, 0x22, 0x4d, 0x18}
)

// sniffCompression names the compression whose magic bytes start b.
func sniffCompression(b []byte) string {
	switch {
	case bytes.HasPrefix(b, magicGzip):
		return CompressionGzip
	case bytes.HasPrefix(b, magicBz2) && len(b) >= 4 && b[3] >= '1' && b[3] <= '9':
		return CompressionBzip2
	case bytes.HasPrefix(b, magicZstd):
		return CompressionZstd
	case bytes.HasPrefix(b, magicXz):
		return CompressionXz
	case bytes.HasPrefix(b, magicZ):
		return CompressionCompress
	case bytes.HasPrefix(b, magicLZ4):
		return CompressionLZ4
	}
	return CompressionNone
}

// A Digest is the SHA-256 of an input's bytes as stored (before
// decompression). Equal digests mean identical inputs.
type Digest [sha256.Size]byte

// String returns the digest in lower-case hex.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// An InputReader reads an input's decompressed bytes. It hashes the raw
// bytes as it reads them, so that after the end of the input it can tell
// the input's SHA-256 and size without a second pass.
//
// An InputReader is for one goroutine. Close it when done.
type InputReader struct {
	in          Input
	compression string
	closer      io.Closer // the file, nil for standard input
	raw         *countingHash
	rawBuf      *bufio.Reader // raw bytes, hashed as read
	dec         io.Reader     // decompressed bytes
	decClose    func()
	done        bool // dec returned io.EOF and the raw rest was hashed
	err         error
}

type countingHash struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (c *countingHash) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.h.Write(p[:n])
		c.n += int64(n)
	}
	return n, err
}

// Open opens the input and finds its compression from its first bytes:
// gzip (also several members one after another), bzip2, zstd, xz, LZ4
// (frame format) or Unix compress (.Z; it has no end marker, so a .Z file cut short reads
// as a shorter one, without error); any other input is read as it is. Reading the result yields the
// decompressed bytes. A compressed stream that is corrupt or cut short
// makes Read fail with an error that wraps the decompressor's (for a cut,
// usually io.ErrUnexpectedEOF); the bytes before it are delivered first.
func (in Input) Open() (*InputReader, error) {
	var src io.Reader
	var closer io.Closer
	switch {
	case in.Err != nil:
		return nil, fmt.Errorf("logparse: %w", in.Err)
	case in.r != nil:
		src = in.r
		if c, ok := in.r.(io.Closer); ok {
			closer = c
		}
	case in.Stdin():
		src = os.Stdin
	default:
		f, err := os.Open(in.Path)
		if err != nil {
			return nil, fmt.Errorf("logparse: %w", err)
		}
		src, closer = f, f
	}
	ir := &InputReader{in: in, closer: closer}
	ir.raw = &countingHash{r: src, h: sha256.New()}
	ir.rawBuf = bufio.NewReaderSize(ir.raw, 64<<10)
	magic, err := ir.rawBuf.Peek(8)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		ir.Close()
		return nil, &ReadError{Path: in.Name, Err: err}
	}
	ir.compression = sniffCompression(magic)
	if err := ir.startDecoder(); err != nil {
		ir.Close()
		return nil, &ReadError{Path: in.Name, Err: fmt.Errorf("%s: %w", ir.compression, err)}
	}
	return ir, nil
}

func (ir *InputReader) startDecoder() error {
	switch ir.compression {
	case CompressionGzip:
		zr, err := gzip.NewReader(ir.rawBuf)
		if err != nil {
			return err
		}
		zr.Multistream(true)
		ir.dec = zr
	case CompressionBzip2:
		ir.dec = bzip2.NewReader(ir.rawBuf)
	case CompressionZstd:
		zr, err := zstd.NewReader(ir.rawBuf, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return err
		}
		ir.dec, ir.decClose = zr, zr.Close
	case CompressionXz:
		zr, err := xz.NewReader(ir.rawBuf)
		if err != nil {
			return err
		}
		ir.dec = zr
	case CompressionCompress:
		zr, err := newCompressReader(ir.rawBuf)
		if err != nil {
			return err
		}
		ir.dec = zr
	case CompressionLZ4:
		ir.dec = lz4.NewReader(ir.rawBuf)
	default:
		ir.dec = ir.rawBuf
	}
	return nil
}

// Input returns the input being read.
func (ir *InputReader) Input() Input { return ir.in }

// Compression returns the compression found: one of the Compression*
// names.
func (ir *InputReader) Compression() string { return ir.compression }

// Read reads decompressed bytes. At the end of the input it returns
// io.EOF; by then the raw bytes have all been hashed (bytes after the end
// of a compressed stream included).
func (ir *InputReader) Read(p []byte) (int, error) {
	if ir.err != nil {
		return 0, ir.err
	}
	n, err := ir.dec.Read(p)
	if err == io.EOF {
		// Hash whatever follows the compressed stream too: the digest is
		// of the input as stored.
		if _, cerr := io.Copy(io.Discard, ir.rawBuf); cerr != nil {
			ir.err = cerr
			return n, cerr
		}
		ir.done = true
		ir.err = io.EOF
		return n, io.EOF
	}
	if err != nil {
		if ir.compression != CompressionNone {
			err = fmt.Errorf("%s: %w", ir.compression, err)
		}
		ir.err = err
	}
	return n, err
}

// Digest returns the SHA-256 of the input's raw bytes. ok is false until
// Read has returned io.EOF (the digest would be of a part only).
func (ir *InputReader) Digest() (d Digest, ok bool) {
	if !ir.done {
		return d, false
	}
	ir.raw.h.Sum(d[:0])
	return d, true
}

// RawBytes returns the number of raw (as stored) bytes read so far; after
// io.EOF, the input's size.
func (ir *InputReader) RawBytes() int64 { return ir.raw.n }

// Close releases the input. It does not close standard input.
func (ir *InputReader) Close() error {
	if ir.decClose != nil {
		ir.decClose()
		ir.decClose = nil
	}
	if ir.closer != nil {
		c := ir.closer
		ir.closer = nil
		return c.Close()
	}
	return nil
}
