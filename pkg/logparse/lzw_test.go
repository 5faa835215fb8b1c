package logparse

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompressLikeUncompress reads files made by Unix compress (Debian
// ncompress) at every code width, through the table's CLEAR codes, and
// compares them with the original.
func TestCompressLikeUncompress(t *testing.T) {
	if _, err := exec.LookPath("compress"); err != nil {
		t.Skip("the compress command is not installed (Debian ncompress): nothing to compare with")
	}
	dir := t.TempDir()
	var b strings.Builder
	for i := range 30000 {
		// Varied enough that the table fills and compress clears it.
		fmt.Fprintf(&b, "192.0.2.%d - - [10/Feb/2019:10:%02d:%02d +0100] \"GET /rec/%06x.mp3 HTTP/1.1\" 200 %d \"-\" \"agent-%x\"\n", i%250+1, i/60%60, i%60, i*7919, 1000+i*7, i*i%65521)
	}
	text := b.String()
	for _, c := range []struct {
		name string
		args []string
		text string
	}{
		{"16-bit", []string{"-b16"}, text},
		{"12-bit", []string{"-b12"}, text},
		// (compress -b9 writes files that neither uncompress nor gzip
		// read back: not a reference.)
		{"10-bit", []string{"-b10"}, text[:200000]},
		{"small", nil, "one line\n"},
		{"kwkwk", nil, strings.Repeat("a", 5000)},
	} {
		plain := filepath.Join(dir, c.name+".log")
		writeFile(t, plain, []byte(c.text))
		if out, err := exec.Command("compress", append(append([]string{"-f"}, c.args...), plain)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: compress: %v: %s", c.name, err, out)
		}
		z := plain + ".Z"
		in := Input{Name: z, Path: z}
		ir, err := in.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(ir)
		ir.Close()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if ir.Compression() != CompressionCompress {
			t.Errorf("%s: compression %q", c.name, ir.Compression())
		}
		if !bytes.Equal(got, []byte(c.text)) {
			t.Errorf("%s: %d bytes decoded, want the %d bytes compressed (first difference at %d)", c.name, len(got), len(c.text), firstDiff(got, []byte(c.text)))
		}
		// Cut short: a prefix of the text, as much as uncompress gives.
		data, err := os.ReadFile(z)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 100 {
			cut := filepath.Join(dir, c.name+"-cut.log.Z")
			writeFile(t, cut, data[:len(data)*2/3])
			want, _ := exec.Command("uncompress", "-c", cut).Output()
			ir, err := Input{Name: cut, Path: cut}.Open()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(ir)
			ir.Close()
			if !bytes.Equal(got, want) || !strings.HasPrefix(c.text, string(got)) {
				t.Errorf("%s cut: %d bytes, uncompress gives %d", c.name, len(got), len(want))
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func FuzzCompressReader(f *testing.F) {
	f.Add([]byte{0x1f, 0x9d, 0x90, 'a', 0x02, 0x0c, 0x20})
	f.Add([]byte{0x1f, 0x9d, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		ir, err := ReaderInput("f.Z", bytes.NewReader(append([]byte{0x1f, 0x9d}, data...))).Open()
		if err != nil {
			return
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(ir, 1<<24))
		if n >= 1<<24 {
			t.Skip("output bound")
		}
	})
}

// TestLZ4LikeLZ4Command reads a file made by the lz4 command (Debian
// lz4), whole and cut short, and compares with lz4 -dc.
func TestLZ4LikeLZ4Command(t *testing.T) {
	if _, err := exec.LookPath("lz4"); err != nil {
		t.Skip("the lz4 command is not installed (Debian lz4): nothing to compare with")
	}
	dir := t.TempDir()
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "192.0.2.%d - - [10/Feb/2019:10:%02d:%02d +0100] \"GET /rec/%06x.mp3 HTTP/1.1\" 200 %d \"-\" \"agent-%x\"\n", i%250+1, i/60%60, i%60, i*7919, 1000+i*7, i*i%65521)
	}
	plain := filepath.Join(dir, "access.log")
	writeFile(t, plain, []byte(b.String()))
	// 64 KiB blocks, so that a cut keeps whole blocks before it.
	if out, err := exec.Command("lz4", "-q", "-B4", plain, plain+".lz4").CombinedOutput(); err != nil {
		t.Fatalf("lz4: %v: %s", err, out)
	}
	data, err := os.ReadFile(plain + ".lz4")
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []int{len(data), len(data) * 2 / 3, len(data) / 5} {
		p := filepath.Join(dir, fmt.Sprintf("cut-%d.log.lz4", keep))
		writeFile(t, p, data[:keep])
		want, _ := exec.Command("lz4", "-dc", p).Output()
		ir, err := Input{Name: p, Path: p}.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, rerr := io.ReadAll(ir)
		ir.Close()
		if ir.Compression() != CompressionLZ4 {
			t.Errorf("compression %q", ir.Compression())
		}
		if (rerr == nil) != (keep == len(data)) {
			t.Errorf("cut at %d of %d: error %v", keep, len(data), rerr)
		}
		if gl, wl := bytes.Count(got, []byte{'\n'}), bytes.Count(want, []byte{'\n'}); gl != wl || !strings.HasPrefix(b.String(), string(got)) {
			t.Errorf("cut at %d of %d: %d lines, lz4 -dc gives %d", keep, len(data), gl, wl)
		}
	}
}
