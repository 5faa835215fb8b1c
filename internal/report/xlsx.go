package report

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// xlsxMaxRows is the number of rows a sheet holds, its header included:
// Excel's limit (1,048,576). A list longer than a sheet goes on in further
// sheets ("Underrätta 2", ...), each with the header. Tests make it small.
var xlsxMaxRows = 1 << 20

// xlsxMaxPart is the largest part (a sheet's XML) the ZIP archive may
// hold, uncompressed. Over 4 GiB a ZIP entry needs ZIP64 fields in its
// local header, which archive/zip writes only in the central directory
// when it streams an entry, and Excel reads the local header. A sheet of
// 1,048,576 rows would need 4 KiB of XML a row to get there; should it
// happen, the list fails rather than being written unreadable. Tests make
// it small.
var xlsxMaxPart int64 = math.MaxUint32

var errXLSXPartSize = errors.New("report: xlsx: a sheet is over 4 GiB")

// xlsxCellChars is the most UTF-16 code units Excel keeps in a cell.
const xlsxCellChars = 32767

// xlsxWidths are the columns' widths, in the order of lang.columns.
var xlsxWidths = []float64{6, 16, 18, 18, 8, 16, 10, 10, 44, 40, 24, 22, 14, 28}

// xlsxList writes a notification list as an XLSX workbook, streamed
// straight into its ZIP archive: each row is XML appended to a buffer and
// deflated as the sheet goes; nothing grows with the rows but the file.
// Every cell is an inline string (the same text as the CSV's cell, without
// the CSV's formula guard: a string cell is never a formula); the header
// row is frozen and the columns have the widths of xlsxWidths. A list
// longer than a sheet goes on in further sheets, each with the header.
//
// The workbook holds the parts a spreadsheet needs and no more: the
// content types, the package and workbook relationships, a workbook
// naming the sheets, a minimal style sheet, and the sheets. excelize
// (a test dependency, as an independent reader) reads it back in the
// tests. excelize also wrote these lists until its stream writer, which
// escapes every cell through encoding/xml and a temporary file, took 59
// of the 270 CPU-seconds profiled in the incident's analyze with every
// output.
type xlsxList struct {
	f      *os.File
	bw     *bufio.Writer
	zw     *zip.Writer
	part   io.Writer // the sheet being written, nil between sheets
	size   int64     // its bytes so far, uncompressed
	name   string    // the first sheet's name; the next are "name 2", ...
	header []string
	sheets int
	row    int // rows written to the current sheet
	buf    []byte
	refs   []string // column letters: A, B, ...
}

// newXLSXList creates the workbook at path (mode 0600) and begins its
// first sheet, named name, with the header.
func newXLSXList(path, name string, header []string) (*xlsxList, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	l := &xlsxList{f: f, bw: bufio.NewWriterSize(f, 1<<20), name: name, header: header, buf: make([]byte, 0, 96<<10)}
	l.zw = zip.NewWriter(l.bw)
	// klauspost/compress at the level archive/zip uses (5): the same
	// bytes out as the standard library's within a few per cent, in a
	// fraction of its time.
	l.zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, 5) })
	for i := range header {
		l.refs = append(l.refs, columnName(i))
	}
	if err := l.nextSheet(); err != nil {
		l.abort()
		return nil, err
	}
	return l, nil
}

// columnName returns the letters of column i (0 is A, 26 is AA).
func columnName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// nextSheet ends the current sheet, if any, and begins the next with the
// header as its first row.
func (l *xlsxList) nextSheet() error {
	if err := l.endSheet(); err != nil {
		return err
	}
	l.sheets++
	w, err := l.zw.Create("xl/worksheets/sheet" + strconv.Itoa(l.sheets) + ".xml")
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	l.part, l.size = w, 0
	b := append(l.buf[:0], xml.Header...)
	b = append(b, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`...)
	b = append(b, `<sheetViews><sheetView workbookViewId="0"`...)
	if l.sheets == 1 {
		b = append(b, ` tabSelected="1"`...)
	}
	b = append(b, `><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>`...)
	b = append(b, `<sheetFormatPr defaultRowHeight="15"/><cols>`...)
	for i, wd := range xlsxWidths[:min(len(xlsxWidths), len(l.header))] {
		n := strconv.Itoa(i + 1)
		b = append(b, `<col min="`+n+`" max="`+n+`" width="`...)
		b = strconv.AppendFloat(b, wd, 'f', -1, 64)
		b = append(b, `" customWidth="1"/>`...)
	}
	b = append(b, `</cols><sheetData>`...)
	l.buf = b
	l.row = 0
	return l.add(l.header)
}

// add writes one row, on a new sheet when the current one is full.
func (l *xlsxList) add(cells []string) error {
	if l.row >= xlsxMaxRows {
		if err := l.nextSheet(); err != nil {
			return err
		}
	}
	l.row++
	var rb [20]byte
	r := strconv.AppendInt(rb[:0], int64(l.row), 10)
	b := append(l.buf, `<row r="`...)
	b = append(b, r...)
	b = append(b, `">`...)
	for i, c := range cells {
		if c == "" {
			continue // an absent cell is an empty one
		}
		if i == len(l.refs) {
			l.refs = append(l.refs, columnName(i))
		}
		b = append(b, `<c r="`...)
		b = append(b, l.refs[i]...)
		b = append(b, r...)
		b = append(b, `" t="inlineStr"><is><t`...)
		if needsPreserve(c) {
			b = append(b, ` xml:space="preserve"`...)
		}
		b = append(b, '>')
		b = appendCellText(b, c)
		b = append(b, `</t></is></c>`...)
	}
	b = append(b, `</row>`...)
	l.buf = b
	if len(b) >= 64<<10 {
		return l.flushBuf()
	}
	return nil
}

func (l *xlsxList) flushBuf() error {
	n, err := l.part.Write(l.buf)
	l.size += int64(n)
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	l.buf = l.buf[:0]
	if l.size > xlsxMaxPart {
		return errXLSXPartSize
	}
	return nil
}

// endSheet ends the sheet being written, if any.
func (l *xlsxList) endSheet() error {
	if l.part == nil {
		return nil
	}
	l.buf = append(l.buf, `</sheetData></worksheet>`...)
	err := l.flushBuf()
	l.part = nil
	return err
}

// needsPreserve reports whether a cell's text begins or ends with white
// space, which an XML reader drops unless told to keep it.
func needsPreserve(s string) bool {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	return isSpace(s[0]) || isSpace(s[len(s)-1])
}

// appendCellText appends s as the text of an XML element: &, < and >
// escaped, a carriage return as a reference (a reader would turn a raw
// one into a line feed), and what XML 1.0 cannot hold (control
// characters, invalid UTF-8, U+FFFE and U+FFFF) as U+FFFD, as
// encoding/xml's EscapeText does. Text beyond Excel's 32,767 UTF-16 units
// is cut there.
func appendCellText(b []byte, s string) []byte {
	units := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			if units++; units > xlsxCellChars {
				return b
			}
			switch c {
			case '&':
				b = append(b, "&amp;"...)
			case '<':
				b = append(b, "&lt;"...)
			case '>':
				b = append(b, "&gt;"...)
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		u := 1
		if r >= 0x10000 {
			u = 2
		}
		if units += u; units > xlsxCellChars {
			return b
		}
		switch {
		case r == '\t' || r == '\n':
			b = append(b, byte(r))
		case r == '\r':
			b = append(b, "&#xD;"...)
		case r < 0x20 || r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF:
			b = utf8.AppendRune(b, utf8.RuneError)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// close ends the last sheet, writes the workbook's other parts and closes
// the file. After an error the file is incomplete: the caller removes it
// (the lists are written in a staging folder).
func (l *xlsxList) close() error {
	err := l.endSheet()
	if err == nil {
		err = l.writeParts()
	}
	if err == nil {
		err = l.zw.Close()
	}
	if err == nil {
		err = l.bw.Flush()
	}
	if cerr := l.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	l.f = nil
	if err != nil && !errors.Is(err, errXLSXPartSize) {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return err
}

// abort closes the file of a failed list, if open.
func (l *xlsxList) abort() {
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// writeParts writes the parts that name the sheets, once their number is
// known: ZIP readers find parts through the archive's directory, so their
// order does not matter.
func (l *xlsxList) writeParts() error {
	const (
		ns    = `http://schemas.openxmlformats.org/`
		rels  = ns + `package/2006/relationships`
		docNS = ns + `officeDocument/2006/relationships`
		main  = ns + `spreadsheetml/2006/main`
		ct    = `application/vnd.openxmlformats-`
	)
	types := xml.Header + `<Types xmlns="` + ns + `package/2006/content-types">` +
		`<Default Extension="rels" ContentType="` + ct + `package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="` + ct + `officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="` + ct + `officedocument.spreadsheetml.styles+xml"/>`
	book := xml.Header + `<workbook xmlns="` + main + `" xmlns:r="` + docNS + `"><bookViews><workbookView/></bookViews><sheets>`
	bookRels := xml.Header + `<Relationships xmlns="` + rels + `">`
	for i := 1; i <= l.sheets; i++ {
		n := strconv.Itoa(i)
		name := l.name
		if i > 1 {
			name += " " + n
		}
		types += `<Override PartName="/xl/worksheets/sheet` + n + `.xml" ContentType="` + ct + `officedocument.spreadsheetml.worksheet+xml"/>`
		book += `<sheet name="` + string(appendCellText(nil, name)) + `" sheetId="` + n + `" r:id="rId` + n + `"/>`
		bookRels += `<Relationship Id="rId` + n + `" Type="` + docNS + `/worksheet" Target="worksheets/sheet` + n + `.xml"/>`
	}
	styles := strconv.Itoa(l.sheets + 1)
	bookRels += `<Relationship Id="rId` + styles + `" Type="` + docNS + `/styles" Target="styles.xml"/></Relationships>`
	parts := []struct{ name, text string }{
		{"[Content_Types].xml", types + `</Types>`},
		{"_rels/.rels", xml.Header + `<Relationships xmlns="` + rels + `"><Relationship Id="rId1" Type="` + docNS + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", book + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", bookRels},
		{"xl/styles.xml", xml.Header + `<styleSheet xmlns="` + main + `">` +
			`<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
			`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
			`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
			`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
			`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
			`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`},
	}
	for _, p := range parts {
		w, err := l.zw.Create(p.name)
		if err == nil {
			_, err = io.WriteString(w, p.text)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
