package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// A run must not end in success with a wrong answer (issue 10). After the
// logs are read and the engine is done, analyze checks two things that
// make every verdict of the run untrustworthy, and makes such a run exit 2
// (exitBadInput), with a one-line reason on stderr (also with -q), the
// reasons in the manifest ("problems", and "problem" on the input), and
// the outputs written as usual:
//
//   - An input whose bytes show line ends of CR only (read as a few long
//     lines, which a format that keeps trailing fields may even accept):
//     looked for when the lines are 4 KiB long on average.
//   - An input most of whose lines were rejected: more rejected lines
//     than parsed ones (rejected > records; lines skipped as comments,
//     headers or blank do not count), whether the format was detected or
//     given with --format. The reason names the input and the likely
//     cause, found from the input's first 64 KiB (decompressed): UTF-16
//     text, line ends of CR only, binary data, or a format that does not
//     fit (with the format the lines look like, when one is detected).
//     Standard input, which cannot be read twice, keeps its first 64 KiB
//     for this.
//   - A run in which no request matched a recording of the index, and no
//     directory listing a folder of it, while requests for files with the
//     index's extensions (".mp3", ".wav", ...) exist: the request paths
//     and the index paths differ in their leading folders. The reason
//     suggests --strip-prefix and --add-prefix from the most common
//     difference between sampled request paths and index paths of the
//     same file name (or --fold-case, when the file names differ in case
//     only). Only leading folders are printed, never a whole
//     path (a file name may hold a phone number), and no folder that holds
//     a run of 6 or more digits.

// verdictError is what Run returns when a check fails: exit status 2, as
// for an input not read in full (partial: some input also was not).
type verdictError struct {
	problems []string
	partial  bool
}

// maxProblemsShown bounds the problems on the one line of the final error.
const maxProblemsShown = 3

func (e *verdictError) Error() string {
	msg := strings.Join(e.problems[:min(len(e.problems), maxProblemsShown)], "; ")
	if n := len(e.problems) - maxProblemsShown; n > 0 {
		msg += fmt.Sprintf(" (and %d more: see above and the manifest)", n)
	}
	if e.partial {
		msg += "; " + errPartialInput.Error()
	}
	return msg
}

// Is makes exitCode give exitBadInput.
func (e *verdictError) Is(target error) bool { return target == errPartialInput }

// sampleSize is how much of an input's start is looked at for the cause
// of its rejected lines.
const sampleSize = 64 << 10

// checkInputs sets the problem of every input most of whose lines were
// rejected, logs it as an error and returns the problems.
func (a *analysis) checkInputs(log *slog.Logger) []string {
	var problems []string
	for i := range a.inputs {
		rep := &a.inputs[i]
		undetected := rep.Format == "" && rep.Error != "" && strings.Contains(rep.Error, logparse.ErrNotDetected.Error())
		// Lines of 4 KiB on average: CR-only line ends make few long
		// lines, which a format that keeps trailing fields may accept.
		longLines := rep.Lines > 0 && rep.Bytes/rep.Lines > 4096 && rep.DuplicateOf == ""
		if !undetected && !longLines && (rep.Rejected == 0 || rep.Rejected <= rep.Records || rep.DuplicateOf != "") {
			continue
		}
		sample := a.sample(i)
		if longLines && !undetected && rep.Rejected <= rep.Records {
			if crOnly(sample) {
				rep.Problem = "its lines end in CR only (no LF); convert the line ends (tr '\\r' '\\n')"
				log.Error("an input's lines end in CR only: it was read as a few long lines", "input", rep.Name, "lines", rep.Lines, "bytes", rep.Bytes)
				problems = append(problems, fmt.Sprintf("input %s: %d lines in %d bytes: %s", rep.Name, rep.Lines, rep.Bytes, rep.Problem))
			}
			continue
		}
		if undetected {
			// Not read at all, already an error: name the cause when the
			// bytes tell it.
			if cause := byteCause(sample); cause != "" {
				rep.Problem = cause
				log.Error("the format of an input cannot be detected", "input", rep.Name, "cause", cause)
				problems = append(problems, fmt.Sprintf("input %s: format not detected: %s", rep.Name, cause))
			}
			continue
		}
		rep.Problem = rejectedCause(rep, a.format != nil, sample)
		msg := fmt.Sprintf("input %s: %d of %d lines rejected: %s", rep.Name, rep.Rejected, rep.Lines, rep.Problem)
		log.Error("most lines of an input were rejected: its verdicts cannot be trusted", "input", rep.Name,
			"lines", rep.Lines, "rejected", rep.Rejected, "cause", rep.Problem)
		problems = append(problems, msg)
	}
	return problems
}

// stdinHead keeps the first sampleSize raw bytes read from standard
// input, which cannot be read twice, for the cause of rejected lines.
type stdinHead struct {
	i    int // the input's index
	r    io.Reader
	head []byte
}

func (h *stdinHead) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if room := sampleSize - len(h.head); room > 0 {
		h.head = append(h.head, p[:min(n, room)]...)
	}
	return n, err
}

// keepStdinHead makes the standard-input input keep its first bytes.
func (a *analysis) keepStdinHead() {
	for i, in := range a.all {
		if in.Stdin() {
			a.stdin = &stdinHead{i: i, r: a.cmd.std.In}
			ni := logparse.ReaderInput(in.Name, a.stdin)
			ni.Source = in.Source
			a.all[i] = ni
		}
	}
}

// sample returns the first sampleSize decompressed bytes of input i,
// from what standard input kept, or by reading a file again.
func (a *analysis) sample(i int) []byte {
	if a.stdin != nil && a.stdin.i == i {
		return readSample(logparse.ReaderInput(a.all[i].Name, bytes.NewReader(a.stdin.head)))
	}
	if i >= len(a.all) || a.all[i].Path == "-" {
		return nil
	}
	return readSample(a.all[i])
}

// readSample returns the first sampleSize decompressed bytes of in, or
// what could be read of them.
func readSample(in logparse.Input) []byte {
	r, err := in.Open()
	if err != nil {
		return nil
	}
	defer r.Close()
	b, _ := io.ReadAll(io.LimitReader(r, sampleSize))
	return b
}

// rejectedCause tells, in one phrase without line contents, why most
// lines of an input were rejected.
func rejectedCause(rep *inputReport, given bool, sample []byte) string {
	how := "detected as " + rep.Format
	if given {
		how = "given with --format as " + rep.Format
	}
	if cause := byteCause(sample); cause != "" {
		return cause
	}
	switch {
	case sample == nil && rep.RejectedBy[logparse.ErrBinary.Error()]*2 > rep.Rejected:
		return "its lines hold NUL bytes: UTF-16 encoded or binary data"
	case sample == nil && rep.Lines <= 2 && rep.Bytes > 4096:
		return "one line holds the whole input: its line ends may be CR only"
	}
	if len(sample) > 0 {
		if i := bytes.LastIndexByte(sample, '\n'); i > 0 && len(sample) == sampleSize {
			sample = sample[:i+1]
		}
		if f, _, err := logparse.Detect(sample); err == nil && f.Name() != rep.Format {
			if given {
				return fmt.Sprintf("wrong format: %s, but the lines look like %s; give --format %s or leave --format out", how, f.Name(), f.Name())
			}
			return fmt.Sprintf("wrong format: %s, but the lines look like %s; give --format", how, f.Name())
		}
	}
	if given {
		return "wrong format: " + how + ", which does not fit the lines; check --format, or leave it out to detect the format"
	}
	return "wrong format: " + how + " from its first lines, but most lines do not fit: the input mixes formats; give --format"
}

// byteCause names what in the bytes of an input's start makes its lines
// unreadable: UTF-16 text, line ends of CR only, binary data; or "".
func byteCause(sample []byte) string {
	switch {
	case looksUTF16(sample):
		return "the input looks UTF-16 encoded; convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)"
	case crOnly(sample):
		return "its lines end in CR only (no LF); convert the line ends (tr '\\r' '\\n')"
	case looksBinary(sample):
		return "the input is not text (binary data, or a compression not recognised)"
	}
	return ""
}

// looksUTF16 reports whether b starts with a UTF-16 byte-order mark, or
// holds NULs in every other byte, as ASCII text in UTF-16 does.
func looksUTF16(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return true
	}
	if len(b) < 16 {
		return false
	}
	var nul [2]int
	for i, c := range b {
		if c == 0 {
			nul[i%2]++
		}
	}
	half := len(b) / 2
	return (nul[0] > half*9/10 && nul[1] < half/10) || (nul[1] > half*9/10 && nul[0] < half/10)
}

// crOnly reports whether b's lines end in CR without LF.
func crOnly(b []byte) bool {
	cr := 0
	for i, c := range b {
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			cr++
		}
	}
	return cr > 0 && cr > bytes.Count(b, []byte{'\n'})
}

// looksBinary reports whether more than a tenth of b's bytes are control
// bytes other than tab, CR and LF, or b is not UTF-8 mostly.
func looksBinary(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	ctl := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7F {
			ctl++
		}
	}
	bad := 0
	for r := b; len(r) > 0; {
		c, n := utf8.DecodeRune(r)
		if c == utf8.RuneError && n == 1 {
			bad++
		}
		r = r[n:]
	}
	return ctl*10 > len(b) || bad*4 > len(b)
}

// pathTally samples, per worker, the request paths that look like
// recordings (their extension is one of the index's), for the check
// that some request matched. It keeps a bounded sample, not every path.
type pathTally struct {
	exts    []string // lower-case extensions of index paths, with the dot
	all     bool     // the index paths have no extension: sample every path
	workers []tallyShard
}

type tallyShard struct {
	n      int64
	sample []string
	_      [32]byte // no false sharing between workers
}

// tallySample bounds the paths kept per worker.
const tallySample = 1024

// newPathTally collects the index's extensions (at most 16, the most
// common first), from up to 65536 of its paths spread over it.
func newPathTally(ix *exposure.Index, workers int) *pathTally {
	count := map[string]int{}
	step := max(1, ix.Len()/65536)
	for i := 0; i < ix.Len(); i += step {
		if ext := path.Ext(ix.Key(i)); ext != "" && len(ext) <= 8 && len(count) < 1024 {
			count[strings.ToLower(ext)]++
		}
	}
	exts := make([]string, 0, len(count))
	for e := range count {
		exts = append(exts, e)
	}
	slices.SortFunc(exts, func(a, b string) int { return cmp.Or(count[b]-count[a], strings.Compare(a, b)) })
	if len(exts) > 16 {
		exts = exts[:16]
	}
	return &pathTally{exts: exts, all: len(exts) == 0, workers: make([]tallyShard, workers)}
}

// observe counts p if it looks like a recording. Called from worker w
// only.
func (t *pathTally) observe(w int, p string) {
	if t == nil {
		return
	}
	if t.all {
		t.sample(w, p)
		return
	}
	dot := strings.LastIndexByte(p, '.')
	if dot < 0 || len(p)-dot > 8 || strings.IndexByte(p[dot:], '/') >= 0 {
		return
	}
	ext := p[dot:]
	found := false
	for _, e := range t.exts {
		if asciiEqualFold(e, ext) {
			found = true
			break
		}
	}
	if !found {
		return
	}
	t.sample(w, p)
}

func (t *pathTally) sample(w int, p string) {
	s := &t.workers[w]
	s.n++
	if len(s.sample) < tallySample {
		s.sample = append(s.sample, strings.Clone(p))
	}
}

// checkMatches returns the problem of a run in which no request matched
// a recording or listed a folder of the index while requests for files of
// the index's kinds exist, or "".
func (a *analysis) checkMatches(log *slog.Logger, st exposure.Stats) string {
	t := a.tally
	if t == nil || st.RecordingHits > 0 || st.ListingRequests > 0 {
		return ""
	}
	var n int64
	var sample []string
	for _, s := range t.workers {
		n += s.n
		sample = append(sample, s.sample...)
	}
	if n == 0 {
		return ""
	}
	fix := suggestPrefix(a.index, sample, exposure.PathMapper{FoldCase: a.cmd.FoldCase})
	what := fmt.Sprintf("%d requests name files ending in %s", n, strings.Join(t.exts[:min(len(t.exts), 4)], ", "))
	if t.all {
		// Index paths without extensions: only requests that share a file
		// name with the index say that something should have matched.
		if fix == "" {
			return ""
		}
		what = "sampled requests name files of the index"
	}
	msg := fmt.Sprintf("no request matched a recording of the index, though %s: request paths and index paths differ", what)
	if fix != "" {
		msg += "; " + fix
	} else {
		msg += "; check --strip-prefix, --add-prefix and --fold-case against the index's paths"
	}
	log.Error("no request matched any recording: every verdict of this run would rest on nothing", "recording_like_requests", n, "hint", fix)
	return msg
}

// suggestPrefix compares sampled request paths with the index paths of
// the same file name and returns the most common difference in leading
// folders as a --strip-prefix/--add-prefix suggestion, or "".
func suggestPrefix(ix *exposure.Index, sample []string, m exposure.PathMapper) string {
	if len(sample) == 0 {
		return ""
	}
	byBase := map[string][]string{} // file name -> sampled request paths
	folded := map[string]int{}      // lower-case file name -> requests
	for _, p := range sample {
		p = exposure.NormalizePath(p, m)
		byBase[path.Base(p)] = append(byBase[path.Base(p)], p)
		folded[strings.ToLower(path.Base(p))]++
	}
	foldMatched := 0
	type pair struct{ strip, add string }
	tally := map[pair]int{}
	matched := 0
	for i := range ix.Len() {
		key := ix.Key(i)
		reqs, ok := byBase[path.Base(key)]
		if !ok {
			if !m.FoldCase {
				low := strings.ToLower(path.Base(key))
				foldMatched += folded[low]
				delete(folded, low)
			}
			continue
		}
		delete(byBase, path.Base(key)) // one index path per file name
		for _, r := range reqs {
			strip, add, ok := prefixDifference(r, key)
			if ok {
				tally[pair{strip, add}]++
				matched++
			}
		}
	}
	if matched == 0 {
		if foldMatched > 0 {
			return fmt.Sprintf("try --fold-case (file names differ from the index's in case only in %d of %d sampled requests)", foldMatched, len(sample))
		}
		return ""
	}
	best, bestN := pair{}, 0
	for p, n := range tally {
		if n > bestN || n == bestN && (p.strip+"\x00"+p.add < best.strip+"\x00"+best.add) {
			best, bestN = p, n
		}
	}
	if hasLongDigitRun(best.strip) || hasLongDigitRun(best.add) {
		return fmt.Sprintf("%d of %d sampled requests name a file of the index under other leading folders (not printed: they hold digits)", bestN, len(sample))
	}
	var flags []string
	if best.strip != "" {
		flags = append(flags, "--strip-prefix "+best.strip)
	}
	if best.add != "" {
		flags = append(flags, "--add-prefix "+best.add)
	}
	return fmt.Sprintf("try %s (the leading folders that differ in %d of %d sampled requests)", strings.Join(flags, " "), bestN, len(sample))
}

// prefixDifference splits two normalised paths of the same file into
// their common trailing segments and the leading folders that differ:
// req = strip + rest, idx = add + rest. ok is false when the two share
// only the file name (the folders above it differ too: no prefix fixes
// that) or are equal.
func prefixDifference(req, idx string) (strip, add string, ok bool) {
	rs := strings.Split(strings.TrimPrefix(req, "/"), "/")
	is := strings.Split(strings.TrimPrefix(idx, "/"), "/")
	k := 0
	for k < len(rs) && k < len(is) && rs[len(rs)-1-k] == is[len(is)-1-k] {
		k++
	}
	if k < 2 && !(k == len(rs) || k == len(is)) || k == len(rs) && k == len(is) {
		return "", "", false
	}
	strip = strings.Join(rs[:len(rs)-k], "/")
	add = strings.Join(is[:len(is)-k], "/")
	if strip != "" {
		strip = "/" + strip
	}
	if add != "" {
		add = "/" + add
	}
	return strip, add, true
}

// hasLongDigitRun reports whether s holds 6 or more digits in a row: a
// folder that could be a date, but also part of an identity or phone
// number, is not printed.
func hasLongDigitRun(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			if run >= 6 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// asciiEqualFold reports whether s equals lower, a lower-case string,
// ignoring ASCII case.
func asciiEqualFold(lower, s string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
