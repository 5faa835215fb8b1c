package logparse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// DetectLines is how many data lines (lines that are not comments, headers
// or blank) Detect tries each format on.
const DetectLines = 64

// DetectSampleSize is how many bytes DetectInput looks at.
const DetectSampleSize = 64 << 10

// ErrNotDetected is wrapped by the error Detect returns when no format
// fits the sample clearly.
var ErrNotDetected = errors.New("format not detected")

// A Candidate is one built-in format tried by Detect, with its score.
type Candidate struct {
	Format string // the format's name
	Lines  int    // data lines tried (not counting skipped lines)
	Parsed int    // lines parsed into records
	// NotHTTP counts lines the format recognised as its server's that
	// record no HTTP request (rejected with ErrNotHTTP): an HAProxy
	// TCP-mode line, an FTP session line of a W3C log.
	NotHTTP int
	// Fields scores the fields filled, summed over the parsed lines: 2
	// for each typed Record field that holds a logged value (time,
	// client, method, status, byte counts, ...), 1 for each non-empty
	// Extra field.
	Fields int
}

// recognised returns the lines parsed or known as not HTTP.
func (c Candidate) recognised() int { return c.Parsed + c.NotHTTP }

// Fraction returns the share of lines parsed, from 0 to 1.
func (c Candidate) Fraction() float64 {
	if c.Lines == 0 {
		return 0
	}
	return float64(c.Parsed) / float64(c.Lines)
}

// FieldsPerLine returns the typed fields filled per parsed line.
func (c Candidate) FieldsPerLine() float64 {
	if c.Parsed == 0 {
		return 0
	}
	return float64(c.Fields) / float64(c.Parsed)
}

// String returns "name parsed/lines fields/line", e.g.
// "combined 64/64 10.0".
func (c Candidate) String() string {
	return c.Format + " " + strconv.Itoa(c.Parsed) + "/" + strconv.Itoa(c.Lines) + " " + strconv.FormatFloat(c.FieldsPerLine(), 'f', 1, 64)
}

// A Detection says which format Detect chose and why.
type Detection struct {
	// Format is the chosen format's name, "" when none was chosen.
	Format string
	// Reason explains the choice in one sentence, without line contents.
	Reason string
	// Candidates are the formats that parsed at least one line, best
	// first. For a source, their counts are summed over its files.
	Candidates []Candidate
	// Source is the log source whose files were detected together (see
	// DetectSource); "" for the detection of one sample.
	Source string
	// Inputs tells, for a source, what each of its files chose on its
	// own and whether the source's format fits it. See Disagreements.
	Inputs []InputDetection
}

// Disagreements returns the files of a source whose own lines chose
// another format than the source's (Format): for example one file of a
// Debian Apache set with a 304 that shows %O, another whose lines alone
// do not tell. They are read in the source's format when they fit it
// (InputDetection.Fits), in their own otherwise. Files whose own lines
// decide nothing (empty, or no format detected) are left out.
func (d Detection) Disagreements() []InputDetection {
	var out []InputDetection
	for _, in := range d.Inputs {
		if in.Format != "" && in.Format != "empty" && in.Format != d.Format {
			out = append(out, in)
		}
	}
	return out
}

// Detect chooses a built-in format for a sample of an input: its first
// bytes, such as the first 64 KiB. It tries every built-in format (see
// FormatNames; format strings cannot be guessed) on up to DetectLines data
// lines and scores each by the share of lines it parses, then by how many
// typed fields it fills, so that the more specific format wins: combined
// over common when both parse, vhost_combined when the "host:port" prefix
// is there, w3c when a #Fields header is. A last line without a newline is
// tried too (the sample may be the whole input; DetectInput cuts a sample
// at its last newline).
//
// Formats whose lines look alike (the Apache and nginx formats built on
// the Common Log Format, which read each other's lines) are told apart by
// evidence when they tie, and Reason says which:
//   - vhost_combined when most lines start with "host:port"; lighttpd
//     when most ident columns hold a host name (lighttpd's %V); common
//     when no line carries a referer or user agent.
//   - nginx escapes '"' and '\' as \x22 and \x5C, Apache as \" and \\;
//     nginx logs status 499 (client closed the connection).
//   - Apache's combined logs %b (body bytes) where Debian's logs %O (bytes
//     on the wire, headers included). A line cannot tell them apart, but
//     %O is never 0 or "-", and a 304 or a HEAD response with bytes > 0
//     is %O: that decides for combined_debian, a 0 or "-" for combined.
//     Without evidence Detect chooses combined and says that the bytes
//     field is ambiguous.
//   - CloudFront's logs are W3C with tab separators.
//
// Lines that a format recognises as its server's but that hold no HTTP
// request (HAProxy TCP-mode lines, the FTP service's lines of a W3C log:
// ErrNotHTTP) count as recognised: a log of them is detected, and Reason
// says how many lines are not HTTP; reading rejects them under their own
// kind. When most lines carry docker compose's "service | " prefix, the
// format is detected from the lines without it and wrapped in a
// ComposeFormat ("compose:caddy").
//
// When no format recognises at least half of the lines, or the best formats
// tie and no evidence separates them, Detect returns an error wrapping
// ErrNotDetected that names the candidates and their scores; the
// Detection then holds the candidates and an empty Format.
func Detect(sample []byte) (Format, Detection, error) {
	return detect(sample, builtinFormats())
}

// builtinFormats returns the registered formats, sorted by name.
func builtinFormats() []Format {
	var formats []Format
	for _, name := range slices.Sorted(maps.Keys(formatsByName)) {
		formats = append(formats, formatsByName[name]())
	}
	return formats
}

// DetectInput detects the format of r from its first DetectSampleSize
// bytes (see Detect). It returns a reader that yields all of r, the
// sampled bytes included: read from it, not from r. When r fails within
// the sample (a compressed file cut short), the format is detected from
// the whole lines before the failure, and the returned reader yields the
// bytes read and then the error.
func DetectInput(r io.Reader) (Format, Detection, *bufio.Reader, error) {
	return detectInputWith(r, builtinFormats())
}

func detectInputWith(r io.Reader, formats []Format) (Format, Detection, *bufio.Reader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < DetectSampleSize {
		br = bufio.NewReaderSize(r, DetectSampleSize)
	}
	sample, err := br.Peek(DetectSampleSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		// A read error, as in a compressed file cut short: detect from the
		// whole lines before it, so that their records are kept. The
		// returned reader yields the bytes read and then the error again
		// (bufio reports an error once; r may not repeat it).
		data := bytes.Clone(sample)
		replay := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(data), &errorReader{err}), DetectSampleSize)
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
			f, d, derr := detect(data[:i+1], formats)
			return f, d, replay, derr
		}
		return nil, Detection{}, replay, err
	}
	if err == nil && len(sample) == DetectSampleSize {
		// More follows: leave out the partial last line.
		if i := bytes.LastIndexByte(sample, '\n'); i >= 0 {
			sample = sample[:i+1]
		}
	}
	f, d, derr := detect(sample, formats)
	return f, d, br, derr
}

// errorReader returns err on every Read.
type errorReader struct{ err error }

func (e *errorReader) Read([]byte) (int, error) { return 0, e.err }

// family groups formats whose lines look alike, where a tie is decided by
// evidence instead of being an error. The first name is the default.
var families = [][]string{
	{"combined", "common", "combined_debian", "vhost_combined", "nginx_combined", "nginx_range", "lighttpd"},
	{"cloudfront", "w3c"},
	{"caddy", "jsonl"},
}

func familyOf(name string) int {
	for i, f := range families {
		if slices.Contains(f, name) {
			return i
		}
	}
	return -1
}

// evidence gathered from a sample for telling similar formats apart.
type evidence struct {
	nginxEscapes  int // \x22 or \x5C sequences
	apacheEscapes int // \" sequences
	status499     int
	wireBytes     int // 304 or HEAD with bytes > 0 (as combined reads it)
	zeroBytes     int // bytes 0 or "-" (as combined reads it)
	tabs          int // data lines holding a tab
	vhost         int // lines with a "host:port" prefix (as combined reads them)
	hostIdent     int // lines whose ident column is a host name (as lighttpd reads them)
	parsed        int // lines combined parsed
	lighttpd      int // lines lighttpd parsed
}

type scored struct {
	Candidate
	f                          Format
	index                      int   // in the formats tried
	records, rejected, skipped int64 // the reader's counts
	onlySkipped                bool  // the sample's lines were all headers or comments to it
}

func detect(sample []byte, formats []Format) (Format, Detection, error) {
	f, d, _, err := detectSamples([][]byte{sample}, formats)
	return f, d, err
}

// detectSamples detects one format for several samples (the files of one
// source): each is read by a fresh parser, up to DetectLines data lines,
// and the scores and evidence are summed. perSample[i][j] is the score of
// format j (in the order of formats) on sample i alone.
func detectSamples(samples [][]byte, formats []Format) (Format, Detection, [][]Candidate, error) {
	if inner, with, total := composeSamples(samples); inner != nil {
		return detectCompose(inner, with, total, formats)
	}
	var scores []sampleScore
	for _, sample := range samples {
		if len(bytes.TrimSpace(sample)) != 0 {
			scores = append(scores, scoreSample(sample, formats))
		} else {
			scores = append(scores, sampleScore{blank: true})
		}
	}
	return chooseScores(scores, formats)
}

// A sampleScore is what one sample says: each format's score on it (in
// the order of the formats tried) and the evidence for look-alikes.
type sampleScore struct {
	blank  bool // the sample holds only blank lines: no scores
	cands  []scored
	ev     evidence
	header bool // a #Fields: or #Software: directive
	edge   bool // CloudFront's x-edge-location field
}

// scoreSample reads a sample with every format.
func scoreSample(sample []byte, formats []Format) sampleScore {
	sc := sampleScore{
		header: bytes.Contains(sample, []byte("#Fields:")) || bytes.Contains(sample, []byte("#Software:")),
		edge:   bytes.Contains(sample, []byte("x-edge-location")),
	}
	ev := &sc.ev
	ev.nginxEscapes = bytes.Count(sample, []byte(`\x22`)) + bytes.Count(sample, []byte(`\x5C`))
	ev.apacheEscapes = bytes.Count(sample, []byte(`\"`))
	for line := range bytes.Lines(sample) {
		if len(line) > 0 && line[0] != '#' && bytes.IndexByte(line, '\t') >= 0 {
			ev.tabs++
		}
	}
	for fi, f := range formats {
		c := scored{Candidate: Candidate{Format: f.Name()}, f: f, index: fi}
		r := NewReader(bytes.NewReader(sample), f)
		r.ReuseRecord = true
		r.MaxLineLength = max(len(sample), 1)
		for c.Lines < DetectLines {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			c.Lines++
			if err != nil {
				var perr *ParseError
				if errors.As(err, &perr) {
					if errors.Is(perr.Err, ErrNotHTTP) {
						c.NotHTTP++
					}
					continue
				}
				break // cannot happen on a bytes.Reader
			}
			c.Parsed++
			c.Fields += typedFields(rec)
			switch f.Name() {
			case "combined":
				ev.parsed++
				if rec.Status == 499 {
					ev.status499++
				}
				if rec.VHost != "" {
					ev.vhost++
				}
				switch {
				case rec.BodyBytes > 0 && (rec.Status == 304 || rec.Method == "HEAD"):
					ev.wireBytes++
				case rec.BodyBytes == 0 || rec.BodyBytes == NotLogged:
					ev.zeroBytes++
				}
			case "lighttpd":
				ev.lighttpd++
				if hostLike(rec.VHost) {
					ev.hostIdent++
				}
			}
		}
		st := r.Stats()
		c.records, c.rejected, c.skipped = st.Records, st.Rejected, st.Skipped
		sc.cands = append(sc.cands, c)
	}
	return sc
}

// chooseScores sums the scores of samples and chooses a format. The
// per-sample candidates are returned as detectSamples says.
func chooseScores(scores []sampleScore, formats []Format) (Format, Detection, [][]Candidate, error) {
	blank := true
	for _, sc := range scores {
		if !sc.blank {
			blank = false
		}
	}
	if blank {
		// Nothing to detect: every line (if any) is blank. Read it as such,
		// so that the input counts as read in full.
		return emptyFormat{}, Detection{Format: "empty", Reason: "the input is empty or holds only blank lines"}, nil, nil
	}
	cands := make([]scored, len(formats))
	for fi, f := range formats {
		cands[fi] = scored{Candidate: Candidate{Format: f.Name()}, f: f, index: fi}
	}
	var ev evidence
	var header, edge bool
	perSample := make([][]Candidate, len(scores))
	for si, sc := range scores {
		perSample[si] = make([]Candidate, len(formats))
		if sc.blank {
			continue
		}
		header, edge = header || sc.header, edge || sc.edge
		ev.add(sc.ev)
		for fi, c := range sc.cands {
			perSample[si][fi] = c.Candidate
			t := &cands[fi]
			t.Lines += c.Lines
			t.Parsed += c.Parsed
			t.NotHTTP += c.NotHTTP
			t.Fields += c.Fields
			t.records += c.records
			t.rejected += c.rejected
			t.skipped += c.skipped
		}
	}
	for i := range cands {
		c := &cands[i]
		c.onlySkipped = c.records == 0 && c.rejected == 0 && c.skipped > 0
	}
	f, d, err := choose(cands, ev, header, edge)
	return f, d, perSample, err
}

// add adds the counts of o.
func (ev *evidence) add(o evidence) {
	ev.nginxEscapes += o.nginxEscapes
	ev.apacheEscapes += o.apacheEscapes
	ev.status499 += o.status499
	ev.wireBytes += o.wireBytes
	ev.zeroBytes += o.zeroBytes
	ev.tabs += o.tabs
	ev.vhost += o.vhost
	ev.hostIdent += o.hostIdent
	ev.parsed += o.parsed
	ev.lighttpd += o.lighttpd
}

// choose picks the best candidate, or explains why none. header says that
// a sample holds W3C directives, edge CloudFront's x-edge-location.
func choose(cands []scored, ev evidence, hasHeader, edgeLocation bool) (Format, Detection, error) {
	slices.SortStableFunc(cands, func(a, b scored) int {
		// Formats that recognise some line first, then the larger share
		// of lines recognised (parsed, or known as not HTTP), then of
		// lines parsed, then more fields per line, then by name. (A
		// format that skips every line has no share at all.)
		if (a.recognised() > 0) != (b.recognised() > 0) {
			if a.recognised() > 0 {
				return -1
			}
			return 1
		}
		if x, y := a.recognised()*b.Lines, b.recognised()*a.Lines; x != y {
			if x > y {
				return -1
			}
			return 1
		}
		if x, y := a.Parsed*b.Lines, b.Parsed*a.Lines; x != y {
			if x > y {
				return -1
			}
			return 1
		}
		if x, y := a.Fields*b.Parsed, b.Fields*a.Parsed; x != y {
			if x > y {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Format, b.Format)
	})
	var d Detection
	for _, c := range cands {
		if c.recognised() > 0 {
			d.Candidates = append(d.Candidates, c.Candidate)
		}
	}
	if !slices.ContainsFunc(cands, func(c scored) bool { return c.Lines > 0 }) {
		return nil, d, fmt.Errorf("logparse: %w: no data lines in the sample", ErrNotDetected)
	}
	best := cands[0]
	if best.recognised() == 0 && hasHeader {
		// Only header lines (an IIS or CloudFront file with its directives
		// and no request yet): the format that skips them all.
		var skip []string
		for _, c := range cands {
			if c.onlySkipped {
				skip = append(skip, c.Format)
			}
		}
		pick := ""
		switch {
		case slices.Contains(skip, "cloudfront") && edgeLocation:
			pick = "cloudfront"
		case slices.Contains(skip, "w3c"):
			pick = "w3c"
		case len(skip) > 0:
			pick = skip[0]
		}
		for _, c := range cands {
			if c.Format == pick {
				return c.f, Detection{Format: pick, Reason: pick + " reads every line of the sample as a header or comment: no request lines yet"}, nil
			}
		}
	}
	if best.recognised() == 0 || 2*best.recognised() < best.Lines {
		return nil, d, fmt.Errorf("logparse: %w: no format parses half of the %d lines tried (best: %s)", ErrNotDetected, best.Lines, candidateList(d.Candidates))
	}
	if best.Parsed == 0 {
		// Lines of a server's log that hold no HTTP request (TCP-mode
		// HAProxy, an FTP service's W3C log): recognised, not HTTP.
		d.Format = best.Format
		d.Reason = fmt.Sprintf("%s recognises %d of %d lines, none of them an HTTP request%s", best.Format, best.NotHTTP, best.Lines, notHTTPNote(best.Candidate))
		return best.f, d, nil
	}
	// The formats tied with the best: as many lines parsed and as many
	// fields filled, or, in a family of look-alike formats, fields
	// within 10%: there a field more or less on a stray line (a lenient
	// parser reading a user name with a space as two columns) must not
	// outweigh the evidence.
	var tied []scored
	fam := familyOf(best.Format)
	for _, c := range cands {
		if c.Parsed == 0 || c.Parsed*best.Lines != best.Parsed*c.Lines || c.NotHTTP*best.Lines != best.NotHTTP*c.Lines {
			continue
		}
		same := c.Fields*best.Parsed == best.Fields*c.Parsed
		near := fam >= 0 && familyOf(c.Format) == fam && 10*c.Fields*best.Parsed >= 9*best.Fields*c.Parsed
		if same || near {
			tied = append(tied, c)
		}
	}
	if len(tied) == 1 {
		d.Format = best.Format
		d.Reason = fmt.Sprintf("%s parses %d of %d lines with %.1f fields per line, more than any other format", best.Format, best.Parsed, best.Lines, best.FieldsPerLine())
		d.Reason += bytesNote(best.Format, ev) + notHTTPNote(best.Candidate)
		return best.f, d, nil
	}
	for _, c := range tied[1:] {
		if familyOf(c.Format) != fam || fam < 0 {
			return nil, d, fmt.Errorf("logparse: %w: formats tie: %s", ErrNotDetected, candidateList(tiedCandidates(tied)))
		}
	}
	name, why := decideTie(tied, ev)
	for _, c := range tied {
		if c.Format == name {
			d.Format = name
			d.Reason = fmt.Sprintf("%s parses %d of %d lines with %.1f fields per line, as do %s; %s", name, c.Parsed, c.Lines, c.FieldsPerLine(), otherNames(tied, name), why)
			d.Reason += notHTTPNote(c.Candidate)
			if !strings.Contains(why, "bytes field") {
				d.Reason += bytesNote(name, ev)
			}
			return c.f, d, nil
		}
	}
	return nil, d, fmt.Errorf("logparse: %w: formats tie: %s", ErrNotDetected, candidateList(tiedCandidates(tied)))
}

// notHTTPNote is added to the reason when lines were recognised as not
// HTTP.
func notHTTPNote(c Candidate) string {
	if c.NotHTTP == 0 {
		return ""
	}
	n := "1 line is"
	if c.NotHTTP != 1 {
		n = strconv.Itoa(c.NotHTTP) + " lines are"
	}
	return fmt.Sprintf("; %s the server's own but not an HTTP request (a TCP connection or another service's line): rejected as such", n)
}

// bytesNote is added to the reason for a format whose bytes field is
// ambiguous.
func bytesNote(name string, ev evidence) string {
	if name != "combined" {
		return ""
	}
	if ev.zeroBytes > 0 {
		return fmt.Sprintf("; the bytes field is %%b (body only): 0 or \"-\" bytes on %s", count(ev.zeroBytes, "line"))
	}
	return ""
}

// decideTie chooses among tied formats of one family by evidence.
func decideTie(tied []scored, ev evidence) (name, why string) {
	has := func(n string) bool {
		return slices.ContainsFunc(tied, func(c scored) bool { return c.Format == n })
	}
	tied = slices.Clone(tied) // drop must not touch the caller's slice
	drop := func(n string) {
		tied = slices.DeleteFunc(tied, func(c scored) bool { return c.Format == n })
	}
	if has("vhost_combined") {
		if 2*ev.vhost >= ev.parsed && ev.vhost > 0 {
			return "vhost_combined", fmt.Sprintf("%d of %d lines start with a \"host:port\" virtual host", ev.vhost, ev.parsed)
		}
		drop("vhost_combined")
	}
	if has("lighttpd") {
		if 2*ev.hostIdent >= ev.lighttpd && ev.hostIdent > 0 {
			return "lighttpd", fmt.Sprintf("%d of %d lines hold a host name in the ident column (lighttpd's %%V)", ev.hostIdent, ev.lighttpd)
		}
		drop("lighttpd")
	}
	if has("common") && !has("nginx_combined") {
		return "common", "no line logs a referer or user agent"
	}
	switch {
	case has("nginx_combined") && ev.nginxEscapes > 0 && ev.apacheEscapes == 0:
		return "nginx_combined", fmt.Sprintf("%s (\\x22 or \\x5C) and no Apache \\\" escapes", count(ev.nginxEscapes, "nginx escape"))
	case has("nginx_combined") && ev.status499 > 0 && ev.apacheEscapes == 0:
		return "nginx_combined", fmt.Sprintf("%s with nginx's status 499", count(ev.status499, "line"))
	case has("combined_debian") && has("combined"):
		switch {
		case ev.wireBytes > 0 && ev.zeroBytes == 0:
			return "combined_debian", fmt.Sprintf("the bytes field is %%O (with headers): bytes > 0 on %s without a body (304 or HEAD), and no 0 or \"-\" bytes", count(ev.wireBytes, "response"))
		case ev.zeroBytes > 0 && ev.wireBytes == 0:
			return "combined", fmt.Sprintf("the bytes field is %%b (body only): 0 or \"-\" bytes on %s, which %%O never logs", count(ev.zeroBytes, "line"))
		case ev.zeroBytes > 0:
			return "combined", fmt.Sprintf("the bytes field is ambiguous: 0 or \"-\" bytes on %s (as %%b logs) but bytes > 0 on %s without a body (as %%O logs); chose combined (%%b)", count(ev.zeroBytes, "line"), count(ev.wireBytes, "response"))
		}
		return "combined", "the bytes field is ambiguous (%b body bytes or Debian's %O bytes with headers): no 304 or HEAD response with bytes and no 0 or \"-\" bytes seen; chose combined (%b)"
	case has("cloudfront") && ev.tabs > 0:
		return "cloudfront", fmt.Sprintf("tab separators on %s", count(ev.tabs, "data line"))
	}
	if has("common") {
		return "common", "no line logs a referer or user agent"
	}
	first := ""
	for _, n := range families[familyOf(tied[0].Format)] {
		if has(n) {
			first = n
			break
		}
	}
	return first, "no evidence separates them; chose the most common"
}

// count returns "1 line" or "n lines".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func otherNames(tied []scored, name string) string {
	var s []string
	for _, c := range tied {
		if c.Format != name {
			s = append(s, c.Format)
		}
	}
	return strings.Join(s, ", ")
}

func tiedCandidates(tied []scored) []Candidate {
	var out []Candidate
	for _, c := range tied {
		out = append(out, c.Candidate)
	}
	return out
}

func candidateList(cs []Candidate) string {
	if len(cs) == 0 {
		return "no format parses any line"
	}
	var s []string
	for i, c := range cs {
		if i == 6 {
			s = append(s, "...")
			break
		}
		s = append(s, fmt.Sprintf("%s %d/%d lines, %.1f fields", c.Format, c.Parsed, c.Lines, c.FieldsPerLine()))
	}
	return strings.Join(s, "; ")
}

// typedFields scores the fields of rec that hold a logged value: 2 per
// typed field, 1 per Extra field (a format that keeps a field by name has
// read it, but knows less of it).
func typedFields(rec *Record) int {
	n := 0
	for _, ok := range [...]bool{
		!rec.Time.IsZero(),
		rec.Client.IsValid() || rec.ClientHost != "",
		rec.ForwardedFor != "",
		rec.User != "",
		rec.Ident != "",
		rec.Method != "",
		rec.Target != "",
		rec.Protocol != "",
		rec.Status != 0,
		rec.BodyBytes != NotLogged,
		rec.WireBytes != NotLogged,
		rec.RequestBytes != NotLogged,
		rec.Range != "",
		rec.ContentRange != "",
		rec.VHost != "",
		rec.ServerPort != 0,
		rec.Referer != "",
		rec.UserAgent != "",
		rec.Duration != NotLogged,
		rec.Completion != CompletionNotLogged,
	} {
		if ok {
			n += 2
		}
	}
	for _, f := range rec.Extra {
		switch {
		case f.Name == "trailing":
			// Data after the format's last field (Apache's lenient
			// reading): the format does not describe the line.
			n -= 2
		case f.Value != "" && f.Value != "-":
			n++
		}
	}
	return n
}

// hostLike reports whether s looks like a host name or host:port rather
// than an RFC 1413 identity.
func hostLike(s string) bool {
	return s == "localhost" || strings.HasPrefix(s, "localhost:") || strings.ContainsAny(s, ".:")
}

// emptyFormat reads an input with no data: blank lines are skipped, any
// other line is rejected. Detect returns it for an empty sample.
type emptyFormat struct{}

func (emptyFormat) Name() string      { return "empty" }
func (emptyFormat) NewParser() Parser { return emptyFormat{} }

func (emptyFormat) Parse(line []byte, _ *Record) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return ErrSkip
	}
	return errAt(0, ErrSyntax)
}
