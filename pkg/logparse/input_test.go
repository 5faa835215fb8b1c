package logparse

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// fiftyLines is the content of testdata/inputs/fifty.log.bz2.
func fiftyLines() string {
	var b strings.Builder
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&b, "192.0.2.%d /file%d.mp3 200 %d\n", i, i, i*100)
	}
	return b.String()
}

func gzipBytes(t testing.TB, members ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, m := range members {
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func zstdBytes(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xzBytes(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCompression(t *testing.T) {
	text := fiftyLines()
	bz2, err := os.ReadFile("testdata/inputs/fifty.log.bz2")
	if err != nil {
		t.Fatal(err)
	}
	half := len(text) / 2
	dir := t.TempDir()
	cases := []struct {
		name, file string
		data       []byte
		want       string
	}{
		// Names deliberately lie: compression is found from the bytes.
		{"plain", "a.log.gz", []byte(text), CompressionNone},
		{"empty", "empty.log", nil, CompressionNone},
		{"gzip", "a.log", gzipBytes(t, text), CompressionGzip},
		{"gzip multi-member", "b.log", gzipBytes(t, text[:half], text[half:]), CompressionGzip},
		{"bzip2", "c.log", bz2, CompressionBzip2},
		{"zstd", "d.log.xz", zstdBytes(t, text), CompressionZstd},
		{"xz", "e.log.bz2", xzBytes(t, text), CompressionXz},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.file)
		writeFile(t, path, c.data)
		ins, err := ExpandInputs([]string{path})
		if err != nil {
			t.Fatal(err)
		}
		in := ins[0]
		if in.Compression != c.want || in.Size != int64(len(c.data)) {
			t.Errorf("%s: ExpandInputs found %q, %d bytes; want %q, %d", c.name, in.Compression, in.Size, c.want, len(c.data))
		}
		ir, err := in.Open()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ir.Compression() != c.want {
			t.Errorf("%s: Open found %q, want %q", c.name, ir.Compression(), c.want)
		}
		if _, ok := ir.Digest(); ok {
			t.Errorf("%s: digest available before EOF", c.name)
		}
		out, err := io.ReadAll(ir)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := text
		if c.data == nil {
			want = ""
		}
		if string(out) != want {
			t.Errorf("%s: decompressed %d bytes, not the original %d", c.name, len(out), len(want))
		}
		d, ok := ir.Digest()
		if !ok || d != Digest(sha256.Sum256(c.data)) {
			t.Errorf("%s: digest %v (ok=%v), want the SHA-256 of the raw file", c.name, d, ok)
		}
		if ir.RawBytes() != int64(len(c.data)) {
			t.Errorf("%s: RawBytes %d, want %d", c.name, ir.RawBytes(), len(c.data))
		}
		if err := ir.Close(); err != nil {
			t.Errorf("%s: Close: %v", c.name, err)
		}
	}
}

func TestDigestString(t *testing.T) {
	d := Digest(sha256.Sum256([]byte(fiftyLines())))
	if got, want := d.String(), "afc75d9474226ec32d51ba83c88afae04755c7645cda10077a6675a69591b435"; got != want {
		t.Errorf("Digest.String() = %s, want %s", got, want)
	}
}

// TestOpenTruncated cuts compressed inputs short and checks that the
// records before the cut are all delivered, then a *ReadError with a
// position ends the input.
func TestOpenTruncated(t *testing.T) {
	text := fiftyLines()
	bz2, err := os.ReadFile("testdata/inputs/fifty.log.bz2")
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat(text, 200) // large enough that decoders deliver data before the cut
	streams := map[string][]byte{
		"gzip":  gzipBytes(t, big),
		"zstd":  zstdBytes(t, big),
		"xz":    xzBytes(t, big),
		"bzip2": bz2,
	}
	for _, name := range []string{"gzip", "zstd", "xz", "bzip2"} {
		data := streams[name]
		want := big
		if name == "bzip2" {
			want = text
		}
		for _, keep := range []int{len(data) - 1, len(data) * 2 / 3, len(data) / 3} {
			in := ReaderInput(name+".log", bytes.NewReader(data[:keep]))
			ir, err := in.Open()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			r := NewReader(ir, spaceFormat{})
			r.Name = in.Name
			out, err := readAll(t, r)
			var rerr *ReadError
			if !errors.As(err, &rerr) {
				t.Errorf("%s cut at %d: got %v, want a *ReadError", name, keep, err)
				continue
			}
			if !strings.Contains(rerr.Error(), name) {
				t.Errorf("%s: error %q does not name the compression", name, rerr)
			}
			// Every complete line before the cut is a record, in order,
			// at its true offset; at most the last one is ErrTruncated.
			var off int64
			for i, g := range out {
				if g.Line != int64(i+1) || g.Offset != off {
					t.Fatalf("%s: result %d at line %d offset %d, want line %d offset %d", name, i, g.Line, g.Offset, i+1, off)
				}
				if g.Err != "" && (g.Err != ErrTruncated.Error() || i != len(out)-1) {
					t.Fatalf("%s: unexpected %s at line %d", name, g.Err, g.Line)
				}
				end := strings.IndexByte(want[off:], '\n')
				off += int64(end + 1)
			}
			if rerr.Line != int64(len(out)) || rerr.Offset != r.Stats().Bytes {
				t.Errorf("%s: ReadError at line %d byte %d; read %d lines, %d bytes", name, rerr.Line, rerr.Offset, len(out), r.Stats().Bytes)
			}
			t.Logf("%s cut at %d of %d bytes: %d lines before the error", name, keep, len(data), len(out))
			if _, ok := ir.Digest(); ok {
				t.Errorf("%s: digest offered for a failed input", name)
			}
			ir.Close()
		}
	}
	// Cutting a gzip stream a few bytes before its end: all lines but
	// the trailer are there, and the error says io.ErrUnexpectedEOF.
	data := gzipBytes(t, text)
	ir, err := ReaderInput("g", bytes.NewReader(data[:len(data)-4])).Open()
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(ir, spaceFormat{})
	out, err := readAll(t, r)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("got %v, want io.ErrUnexpectedEOF", err)
	}
	if len(out) != 50 || out[49].Err != "" {
		t.Errorf("got %d results before the cut trailer, want 50 records", len(out))
	}
}

// TestXzCutLikeXzCommand cuts xz files made by the xz command at several
// points and checks that Open recovers as many lines as xz -dc does, and
// that a small cut file is still detected.
func TestXzCutLikeXzCommand(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("the xz command is not installed (Debian xz-utils): nothing to compare with")
	}
	dir := t.TempDir()
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "192.0.2.%d - - [10/Feb/2019:10:%02d:%02d +0100] \"GET /rec/%06d.mp3 HTTP/1.1\" 200 %d \"-\" \"curl/7.64.0\"\n", i%250+1, i/60%60, i%60, i, 1000+i*7)
	}
	plain := filepath.Join(dir, "access.log")
	writeFile(t, plain, []byte(b.String()))
	if out, err := exec.Command("xz", "-k", "-6", plain).CombinedOutput(); err != nil {
		t.Fatalf("xz: %v: %s", err, out)
	}
	full, err := os.ReadFile(plain + ".xz")
	if err != nil {
		t.Fatal(err)
	}
	// xzLines counts the lines that xz -dc writes for a file (it exits
	// non-zero on a cut file, after writing what it could decode).
	xzLines := func(path string) int {
		out, _ := exec.Command("xz", "-dc", path).Output()
		return bytes.Count(out, []byte{'\n'})
	}
	ourLines := func(path string) (int, error) {
		ir, err := Input{Name: path, Path: path}.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer ir.Close()
		data, err := io.ReadAll(ir)
		return bytes.Count(data, []byte{'\n'}), err
	}
	for _, keep := range []int{len(full) - 1, len(full) * 3 / 4, len(full) / 2, len(full) / 10, 3000, 200} {
		cut := filepath.Join(dir, fmt.Sprintf("cut-%d.log.xz", keep))
		writeFile(t, cut, full[:keep])
		want := xzLines(cut)
		got, err := ourLines(cut)
		if err == nil {
			t.Errorf("cut at %d of %d bytes: no error", keep, len(full))
		}
		if got != want {
			t.Errorf("cut at %d of %d bytes: %d lines, xz -dc gives %d", keep, len(full), got, want)
		}
		t.Logf("cut at %d of %d bytes: %d lines (xz -dc: %d)", keep, len(full), got, want)
		if keep == 3000 {
			// A small cut file: its format is detected from what was
			// decoded.
			ir, err := Input{Name: cut, Path: cut}.Open()
			if err != nil {
				t.Fatal(err)
			}
			f, d, _, err := DetectInput(ir)
			ir.Close()
			if err != nil || f.Name() != "combined" {
				t.Errorf("small cut xz file: detected %q, %v; want combined", d.Format, err)
			}
		}
	}
}

func TestOpenTrailingBytesHashed(t *testing.T) {
	// zstd stops at the end of its frame; the digest still covers the
	// whole file.
	data := zstdBytes(t, "192.0.2.1 /a 200 5\n")
	ir, err := ReaderInput("z", bytes.NewReader(data)).Open()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(ir); err != nil {
		t.Fatal(err)
	}
	if d, ok := ir.Digest(); !ok || d != Digest(sha256.Sum256(data)) {
		t.Errorf("digest %v ok=%v, want SHA-256 of all %d bytes", d, ok, len(data))
	}
}

func TestOpenMissing(t *testing.T) {
	in := Input{Name: "nope", Path: filepath.Join(t.TempDir(), "nope")}
	if _, err := in.Open(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing file: %v, want os.ErrNotExist", err)
	}
}

func TestExpandInputsOrder(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		"access.log", "access.log.1", "access.log.2.gz", "access.log.10.gz", "access.log.3.gz",
		"error.log", "error.log-20190201.gz", "error.log-20190115", "error.log-2019-01-20",
		".hidden", "notes.txt", "access.log.1.gz",
	}
	for _, f := range files {
		writeFile(t, filepath.Join(dir, f), []byte("x\n"))
	}
	writeFile(t, filepath.Join(dir, "sub", "inner.log"), []byte("x\n"))
	ins, err := ExpandInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range ins {
		got = append(got, filepath.Base(in.Path))
	}
	want := []string{
		".hidden",
		"access.log.10.gz", "access.log.3.gz", "access.log.2.gz", "access.log.1", "access.log.1.gz", "access.log",
		"error.log-20190115", "error.log-2019-01-20", "error.log-20190201.gz", "error.log",
		"notes.txt",
		"inner.log", // sub/ comes after the files of its parent
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got)\n%s", diff)
	}
}

func TestExpandInputs(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.log", "b.log", "c.txt", "d/e.log"} {
		writeFile(t, filepath.Join(dir, f), []byte("x\n"))
	}
	j := func(s string) string { return filepath.Join(dir, s) }
	f := func(args []string, want []string) {
		t.Helper()
		ins, err := ExpandInputs(args)
		if err != nil {
			t.Errorf("ExpandInputs(%q): %v", args, err)
			return
		}
		var got []string
		for _, in := range ins {
			got = append(got, in.Name)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ExpandInputs(%q) (-want +got)\n%s", args, diff)
		}
	}
	f([]string{j("b.log"), j("a.log")}, []string{j("a.log"), j("b.log")})
	f([]string{j("*.log")}, []string{j("a.log"), j("b.log")})
	f([]string{j("*")}, []string{j("a.log"), j("b.log"), j("c.txt"), j("d/e.log")})
	f([]string{"-", j("a.log"), j("a.log"), dir + "/./a.log"}, []string{j("a.log"), StdinName})
	f([]string{j("d"), j("c.txt")}, []string{j("c.txt"), j("d/e.log")})

	fail := func(args []string) {
		t.Helper()
		if ins, err := ExpandInputs(args); err == nil {
			t.Errorf("ExpandInputs(%q) = %d inputs, want an error", args, len(ins))
		}
	}
	fail(nil)
	fail([]string{""})
	fail([]string{j("missing.log")})
	fail([]string{j("*.gz")})
	fail([]string{j("[")})
}

func TestExpandInputsStdin(t *testing.T) {
	ins, err := ExpandInputs([]string{"-"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 || !ins[0].Stdin() || ins[0].Name != StdinName || ins[0].Size != -1 {
		t.Errorf("got %+v, want one standard-input Input", ins)
	}
	if (Input{Name: "x", Path: "x"}).Stdin() {
		t.Error("a file input claims to be standard input")
	}
}

func TestParseRotation(t *testing.T) {
	f := func(path string, want rotationKey) {
		t.Helper()
		if got := parseRotation(path); got != want {
			t.Errorf("parseRotation(%q) = %+v, want %+v", path, got, want)
		}
	}
	f("/l/access.log", rotationKey{dir: "/l/", base: "access.log", class: rotLive})
	f("/l/access.log.gz", rotationKey{dir: "/l/", base: "access.log", class: rotLive})
	f("access.log.12.gz", rotationKey{base: "access.log", class: rotNumbered, num: 12})
	f("access.log.1", rotationKey{base: "access.log", class: rotNumbered, num: 1})
	f("access.log-20190201", rotationKey{base: "access.log", class: rotDated, date: "20190201"})
	f("access.log-2019020113.bz2", rotationKey{base: "access.log", class: rotDated, date: "2019020113"})
	f("access.log-2019-02-01.zst", rotationKey{base: "access.log", class: rotDated, date: "20190201"})
	f("my-site.log", rotationKey{base: "my-site.log", class: rotLive})
	f(".gz", rotationKey{base: ".gz", class: rotLive})
	f("x-1", rotationKey{base: "x-1", class: rotLive})
}

func TestSourceOf(t *testing.T) {
	f := func(name, want string) {
		t.Helper()
		if got := SourceOf(name); got != want {
			t.Errorf("SourceOf(%q) = %q, want %q", name, got, want)
		}
	}
	// The live file and its numbered rotations.
	f("/l/access.log", "/l/access.log")
	f("/l/access.log.1", "/l/access.log")
	f("/l/access.log.2.gz", "/l/access.log")
	f("/l/access.log.12.bz2", "/l/access.log")
	f("/l/access.log.3.Z", "/l/access.log")
	f("/l/access.log.4.lz4", "/l/access.log")
	f("/l/access.log.5.zst", "/l/access.log")
	f("/l/access.log.6.xz", "/l/access.log")
	f("/l/access.log.gz", "/l/access.log")
	// Dated rotations.
	f("access.log-20190211", "access.log")
	f("access.log-2019021113", "access.log")
	f("access.log-2019-02-11", "access.log")
	f("access.log-2019-02-11.gz", "access.log")
	f("access.log.2019-02-11", "access.log")
	f("access.log.20190211.zst", "access.log")
	f("access.log_20190211", "access.log")
	f("access-2019-02-11.log", "access.log")
	f("access_20190211.log", "access.log")
	// IIS: every file of a site folder is one source.
	f(`W3SVC1/u_ex190211.log`, "W3SVC1/u_ex.log")
	f(`W3SVC1/u_ex19021113.log`, "W3SVC1/u_ex.log")
	f(`W3SVC1/u_ex1902.log`, "W3SVC1/u_ex.log")
	f(`W3SVC1/u_extend12.log`, "W3SVC1/u_ex.log")
	f(`W3SVC1/ex190211.log`, "W3SVC1/ex.log")
	f(`W3SVC1/U_EX190211.LOG`, "W3SVC1/U_EX.LOG")
	f(`W3SVC2/u_ex190211.log`, "W3SVC2/u_ex.log")
	// Not rotations.
	f("my-site.log", "my-site.log")
	f("x-1", "x-1")
	f("access.log.99999999", "access.log") // 8 digits that are no date: a number
	f("build-12345678", "build-12345678")
	f("u_exfoo.log", "u_exfoo.log")
	f("u_ex191311.log", "u_ex191311.log") // month 13
	f("app.2019", "app")                  // a number
	f(StdinName, StdinName)
}

func TestExpandInputsSourceOrder(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		"access.log-2019-02-12", "access.log-20190210.gz", "access.log-2019-02-11", "access.log", "access.log-2019021106.xz",
		"iis/u_ex190212.log", "iis/u_ex190130.log", "iis/u_ex1812.log",
		"other.log.1", "other.log.2.Z",
	}
	for _, f := range files {
		writeFile(t, filepath.Join(dir, f), []byte("x\n"))
	}
	ins, err := ExpandInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	type got struct{ Name, Source string }
	var gots []got
	for _, in := range ins {
		rel := func(p string) string { r, _ := filepath.Rel(dir, p); return filepath.ToSlash(r) }
		gots = append(gots, got{rel(in.Name), rel(in.Source)})
	}
	want := []got{
		{"access.log-20190210.gz", "access.log"},
		{"access.log-2019-02-11", "access.log"},
		{"access.log-2019021106.xz", "access.log"},
		{"access.log-2019-02-12", "access.log"},
		{"access.log", "access.log"},
		{"other.log.2.Z", "other.log"},
		{"other.log.1", "other.log"},
		{"iis/u_ex1812.log", "iis/u_ex.log"},
		{"iis/u_ex190130.log", "iis/u_ex.log"},
		{"iis/u_ex190212.log", "iis/u_ex.log"},
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("order and sources (-want +got)\n%s", diff)
	}
}

func TestExpandInputsSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sub", "a.log"), []byte("x\n"))
	if err := os.Symlink(dir, filepath.Join(dir, "sub", "up")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	ins, err := ExpandInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 || ins[0].Path != filepath.Join(dir, "sub", "a.log") {
		t.Errorf("got %v, want the one file once", ins)
	}
}

// FuzzOpen feeds arbitrary bytes, often starting with a compression's
// magic, to Open and Read: no panic, errors are errors, and the digest
// is offered only for an input read to its end.
func FuzzOpen(f *testing.F) {
	text := fiftyLines()
	bz2, err := os.ReadFile("testdata/inputs/fifty.log.bz2")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{[]byte(text), gzipBytes(f, text, text), zstdBytes(f, text), xzBytes(f, text), bz2, nil} {
		f.Add(seed)
		if len(seed) > 10 {
			f.Add(seed[:len(seed)/2])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ir, err := ReaderInput("fuzz", bytes.NewReader(data)).Open()
		if err != nil {
			var rerr *ReadError
			if !errors.As(err, &rerr) {
				t.Fatalf("Open error %v is not a *ReadError", err)
			}
			return
		}
		defer ir.Close()
		// Bound what a decompression bomb may make us read.
		n, err := io.Copy(io.Discard, io.LimitReader(ir, 1<<20))
		_, ok := ir.Digest()
		if err == nil && n < 1<<20 {
			if !ok {
				t.Fatal("no digest after a clean end")
			}
			if ir.RawBytes() != int64(len(data)) {
				t.Fatalf("RawBytes %d for %d bytes", ir.RawBytes(), len(data))
			}
		}
		if err != nil && ok {
			t.Fatal("digest offered after a read error")
		}
		if ir.Compression() == CompressionNone && err == nil && n != int64(len(data)) {
			t.Fatalf("plain input: read %d of %d bytes", n, len(data))
		}
	})
}
