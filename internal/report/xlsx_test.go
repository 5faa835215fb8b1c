package report

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// TestXLSXListText writes cells that XML or Excel treat specially and
// reads them back with excelize: markup characters, white space at either
// end, line breaks (a carriage return included), control characters and
// invalid UTF-8 (as U+FFFD, which is what XML can hold), characters
// beyond the Basic Multilingual Plane, and text over Excel's 32,767
// UTF-16 units (cut there, never inside a surrogate pair).
func TestXLSXListText(t *testing.T) {
	long := strings.Repeat("x", xlsxCellChars-1) + "😀" + "tail"
	cases := []struct{ in, want string }{
		{"a & b < c > d \"e\" 'f'", "a & b < c > d \"e\" 'f'"},
		{"  leading", "  leading"},
		{"trailing\t", "trailing\t"},
		{"two\nlines", "two\nlines"},
		{"crlf\r\nline", "crlf\r\nline"},
		{"bell\x07 nul\x00", "bell\uFFFD nul\uFFFD"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"not a char \uFFFE", "not a char \uFFFD"},
		{"Sörmland 😀 ok", "Sörmland 😀 ok"},
		{"=1+1", "=1+1"}, // a string cell, never a formula
		{long, strings.Repeat("x", xlsxCellChars-1)},
		{strings.Repeat("x", xlsxCellChars+5), strings.Repeat("x", xlsxCellChars)},
		{strings.Repeat("å", xlsxCellChars+10), strings.Repeat("å", xlsxCellChars)},
	}
	header := []string{"in", "n"}
	path := filepath.Join(t.TempDir(), "list.xlsx")
	l, err := newXLSXList(path, "Underrätta <&>", header)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if err := l.add([]string{c.in, strings.Repeat("y", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	// A reader drops white space at either end of an element's text
	// unless the element says to keep it (excelize keeps it anyway).
	sheet := readZipPart(t, path, "xl/worksheets/sheet1.xml")
	for _, want := range []string{`<t xml:space="preserve">  leading</t>`, "<t xml:space=\"preserve\">trailing\t</t>", "<t>two\nlines</t>"} {
		if !strings.Contains(sheet, want) {
			t.Errorf("the sheet lacks %q", want)
		}
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); !slices.Equal(got, []string{"Underrätta <&>"}) {
		t.Fatalf("sheets %q", got)
	}
	rows, err := x.GetRows("Underrätta <&>")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(cases)+1 || !slices.Equal(rows[0], header) {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	for i, c := range cases {
		got := rows[i+1]
		if got[0] != c.want {
			t.Errorf("case %d: read back %d bytes %.40q..., want %d bytes %.40q...", i, len(got[0]), got[0], len(c.want), c.want)
		}
		// The empty cell of the first row is absent; the others follow.
		if want := strings.Repeat("y", i); i > 0 && (len(got) != 2 || got[1] != want) {
			t.Errorf("case %d: second cell %q", i, got[1:])
		}
	}
}

// TestXLSXListLayout checks what excelize wrote before: the header row
// frozen, the columns' widths, the file readable by its owner only.
func TestXLSXListLayout(t *testing.T) {
	header := catalog("sv").columns()
	path := filepath.Join(t.TempDir(), "list.xlsx")
	l, err := newXLSXList(path, "Underrätta", header)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.add(header); err != nil {
		t.Fatal(err)
	}
	// A row longer than the header (no list has one) is written whole.
	long := append(slices.Clone(header), "extra")
	if err := l.add(long); err != nil {
		t.Fatal(err)
	}
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Underrätta")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !slices.Equal(rows[2], long) {
		t.Errorf("rows %d; the long row reads %q", len(rows), rows[len(rows)-1])
	}
	panes, err := x.GetPanes("Underrätta")
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v, want the first row frozen", panes)
	}
	for i, want := range xlsxWidths[:len(header)] {
		col := columnName(i)
		got, err := x.GetColWidth("Underrätta", col)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("column %s: width %v, want %v", col, got, want)
		}
	}
}

// readZipPart returns one part of a ZIP archive.
func readZipPart(t *testing.T, path, name string) string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 13: "N", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := columnName(i); got != want {
			t.Errorf("columnName(%d) = %q, want %q", i, got, want)
		}
	}
}

// TestXLSXListPartSize makes a sheet's limit small: the list fails with
// errXLSXPartSize instead of writing a part that Excel could not read.
func TestXLSXListPartSize(t *testing.T) {
	defer func(n int64) { xlsxMaxPart = n }(xlsxMaxPart)
	xlsxMaxPart = 200 << 10
	l, err := newXLSXList(filepath.Join(t.TempDir(), "list.xlsx"), "s", []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.abort()
	row := []string{strings.Repeat("a", 1000), "b"}
	for range 1000 {
		if err = l.add(row); err != nil {
			break
		}
	}
	if err == nil {
		err = l.close()
	}
	if !errors.Is(err, errXLSXPartSize) {
		t.Fatalf("error %v, want errXLSXPartSize", err)
	}
}

// FuzzCellText writes any string as a cell's text and reads it back with
// encoding/xml: the XML is well formed, and the text is the string with
// what XML 1.0 cannot hold as U+FFFD, cut at Excel's 32,767 UTF-16 units.
func FuzzCellText(f *testing.F) {
	for _, s := range []string{"", "a&b<c>d", " x\r\n\t", "\x00\x1f\x7f", "\xff\xfe", "\uFFFE\uFFFF", "😀å", strings.Repeat("😀", xlsxCellChars/2+1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc := "<t>" + string(appendCellText(nil, s)) + "</t>"
		var got struct {
			Text string `xml:",chardata"`
		}
		if err := xml.Unmarshal([]byte(doc), &got); err != nil {
			t.Fatalf("not well formed: %v", err)
		}
		// The expected text, rune by rune.
		var want strings.Builder
		units := 0
		for i, r := range s {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					r = utf8.RuneError
				}
			}
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
				r = utf8.RuneError
			}
			n := 1
			if r >= 0x10000 {
				n = 2
			}
			if units += n; units > xlsxCellChars {
				break
			}
			want.WriteRune(r)
		}
		if got.Text != want.String() {
			t.Fatalf("read back %q, want %q", got.Text, want.String())
		}
	})
}
