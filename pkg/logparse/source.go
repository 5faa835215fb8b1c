package logparse

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
)

// ErrSourceMixed is wrapped by the error DetectSource returns when files
// of one log source hold different formats (the server's LogFormat changed
// between two rotations, or a file was put among others that is not of
// them): the source's format does not fit every file.
var ErrSourceMixed = errors.New("files of one log source hold different formats")

// An InputDetection is what one file of a source says on its own.
type InputDetection struct {
	// Name is the input's name.
	Name string
	// Format is the format the file's own lines choose (as DetectInput
	// would), "" when they choose none (no format detected, or the input
	// could not be read).
	Format string
	// Fits reports whether the source's format reads the file's sampled
	// lines as well as its own choice: at least half of them, as many
	// (give or take one line in ten) and with as many fields per line
	// (within 10%). A file that does not fit is read in its own format.
	Fits bool
}

// sourceSampleLines bounds the lines kept from each file of a source for
// its detection: the files' first lines, enough for DetectLines data
// lines after a few headers.
const sourceSampleLines = 4 * DetectLines

// DetectSource detects one format for the files of one log source (the
// inputs of one Input.Source, such as access.log.2.gz, access.log.1 and
// access.log): it samples the first lines of each file and weighs the
// scores and the evidence of all of them together (see Detect), so that
// the files of a rotated set are read in one format. Look-alike formats
// are decided by the evidence of every file: one 304 with a byte count in
// access.log.1 shows %O (combined_debian) for access.log as well.
//
// The Detection names the source and, in Inputs, what each file's own
// lines chose; Disagreements lists the files that chose otherwise, and
// Reason says so. When the source's format does not fit a file (see
// InputDetection.Fits), DetectSource returns the source's format and
// Detection with an error wrapping ErrSourceMixed that names the files
// (never their contents): the caller reads those files in their own
// format (ParallelReader does) and reports the mix. When no format fits
// the files together, the error wraps ErrNotDetected.
//
// The files are sampled GOMAXPROCS at a time; each file's sample is read
// by every built-in format once, and both its own choice and the source's
// come from those scores.
//
// The inputs must be regular files, which can be opened twice (here, and
// to read them): standard input, named pipes (Size -1) and ReaderInputs
// are detected as they are read, with DetectInput. Files that cannot be
// opened are left out of the detection (their InputDetection has no
// Format); reading them reports the error.
func DetectSource(inputs []Input) (Format, Detection, error) {
	for _, in := range inputs {
		if !sampleable(in) {
			return nil, Detection{}, fmt.Errorf("logparse: DetectSource: %s is not a regular file", in.Name)
		}
	}
	formats := builtinFormats()
	exams := examineInputs(context.Background(), inputs, formats, runtime.GOMAXPROCS(0))
	f, d, _, err := decideSource(inputs, exams, formats)
	return f, d, err
}

// sampleable reports whether an input can be opened for a sample and
// again for reading.
func sampleable(in Input) bool { return in.r == nil && !in.Stdin() && in.Size >= 0 }

// ownChoice is what one file's own lines choose.
type ownChoice struct {
	f   Format // nil when none
	d   Detection
	err error
}

// An exam is what one file of a source gave: its sample, each format's
// score on it, and its own choice.
type exam struct {
	sample []byte
	blank  bool // no sample, or only blank lines
	score  sampleScore
	own    ownChoice
}

// examineInputs samples and scores inputs, workers at a time.
func examineInputs(ctx context.Context, inputs []Input, formats []Format, workers int) []exam {
	exams := make([]exam, len(inputs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, len(inputs))) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() == nil {
					exams[i] = examine(inputs[i], formats)
				}
			}
		})
	}
	for i := range inputs {
		next <- i
	}
	close(next)
	wg.Wait()
	return exams
}

// examine samples one input and scores the sample.
func examine(in Input, formats []Format) exam {
	var e exam
	sample, err := sampleInput(in)
	if err != nil && len(sample) == 0 {
		e.blank, e.own.err = true, err
		return e
	}
	e.sample = sample
	if len(bytes.TrimSpace(sample)) == 0 {
		e.blank = true
		e.own.f, e.own.d = emptyFormat{}, Detection{Format: "empty", Reason: "the input is empty or holds only blank lines"}
		return e
	}
	if inner, _, _ := composeSamples([][]byte{sample}); inner != nil {
		e.own.f, e.own.d, e.own.err = detect(sample, formats)
		return e // the source is decided from the samples (see decideSource)
	}
	e.score = scoreSample(sample, formats)
	e.own.f, e.own.d, _, e.own.err = chooseScores([]sampleScore{e.score}, formats)
	return e
}

// decideSource decides the format of a source from its files' exams: see
// DetectSource. It also returns each input's own choice.
func decideSource(inputs []Input, exams []exam, formats []Format) (Format, Detection, []ownChoice, error) {
	own := make([]ownChoice, len(inputs))
	ids := make([]InputDetection, len(inputs))
	source := ""
	var samples [][]byte
	var scores []sampleScore
	var which []int // samples[k] is of inputs[which[k]]
	compose := false
	for i, in := range inputs {
		ids[i].Name = in.Name
		if source == "" {
			source = in.Source
			if source == "" {
				source = SourceOf(in.Name)
			}
		}
		own[i] = exams[i].own
		if own[i].err == nil && own[i].f != nil {
			ids[i].Format = own[i].d.Format
		}
		if exams[i].blank {
			continue // an empty file says nothing of the source
		}
		samples = append(samples, exams[i].sample)
		scores = append(scores, exams[i].score)
		which = append(which, i)
		if exams[i].score.cands == nil {
			compose = true // scored only through detect: see examine
		}
	}
	if len(samples) == 0 {
		// Every file is empty (or unreadable): read each as it is.
		d := Detection{Format: "empty", Reason: "the source's files are empty or hold only blank lines", Source: source, Inputs: ids}
		return emptyFormat{}, d, own, nil
	}
	var f Format
	var d Detection
	var per [][]Candidate
	var err error
	if compose {
		f, d, per, err = detectSamples(samples, formats)
	} else {
		f, d, per, err = chooseScores(scores, formats)
	}
	d.Source, d.Inputs = source, ids
	if err != nil {
		if len(samples) > 1 {
			err = fmt.Errorf("%w (the %d files of source %s together)", err, len(samples), source)
		}
		return nil, d, own, err
	}
	ji := -1
	for j, g := range formats {
		if g.Name() == f.Name() {
			ji = j
		}
	}
	var misfits []string
	for k, i := range which {
		ids[i].Fits = true
		if ji < 0 || per == nil {
			continue // the empty format, or a compose-wrapped one
		}
		src := per[k][ji]
		if src.Lines == 0 {
			continue
		}
		ok := 2*src.recognised() >= src.Lines
		if own[i].f != nil && own[i].f.Name() != f.Name() {
			for j, g := range formats {
				if g.Name() != own[i].f.Name() {
					continue
				}
				o := per[k][j]
				// As many lines, give or take one in ten, and as many
				// fields per parsed line, within 10%.
				if 10*src.Parsed < 9*o.Parsed || (o.Parsed > 0 && src.Parsed > 0 && 10*src.Fields*o.Parsed < 9*o.Fields*src.Parsed) {
					ok = false
				}
			}
		}
		if !ok {
			ids[i].Fits = false
			misfits = append(misfits, ids[i].Name)
		}
	}
	if dis := d.Disagreements(); len(dis) > 0 {
		var parts []string
		for _, in := range dis {
			parts = append(parts, in.Name+" "+in.Format)
		}
		d.Reason += fmt.Sprintf("; the source's %d files were detected together: on their own, %s chose otherwise", len(samples), strings.Join(parts, ", "))
	}
	if len(misfits) > 0 {
		d.Reason += "; " + strings.Join(misfits, ", ") + " read in their own format: " + f.Name() + " does not fit them"
		return f, d, own, fmt.Errorf("logparse: source %s: %w: %s does not fit %s", source, ErrSourceMixed, f.Name(), strings.Join(misfits, ", "))
	}
	return f, d, own, nil
}

// sampleInput returns the first lines of an input, decompressed: up to
// DetectSampleSize bytes, whole lines only (unless the input ends without
// a newline), at most sourceSampleLines lines. A read error within the
// sample (a compressed file cut short) returns the whole lines before it
// and the error.
func sampleInput(in Input) ([]byte, error) {
	ir, err := in.Open()
	if err != nil {
		return nil, err
	}
	defer ir.Close()
	br := bufio.NewReaderSize(ir, DetectSampleSize)
	sample, err := br.Peek(DetectSampleSize)
	switch {
	case err == nil && len(sample) == DetectSampleSize, err != nil && err != io.EOF && err != bufio.ErrBufferFull:
		// More follows, or the input failed: whole lines only.
		if i := bytes.LastIndexByte(sample, '\n'); i >= 0 {
			sample = sample[:i+1]
		} else {
			sample = nil
		}
	default:
		err = nil
	}
	if err == bufio.ErrBufferFull {
		err = nil
	}
	n, end := 0, 0
	for end < len(sample) && n < sourceSampleLines {
		i := bytes.IndexByte(sample[end:], '\n')
		if i < 0 {
			end = len(sample)
			break
		}
		end += i + 1
		n++
	}
	return bytes.Clone(sample[:end]), err
}

// sourceFormat is the format detected for an input with its source.
type sourceFormat struct {
	done      bool // detected with its source (a regular file)
	format    Format
	detection *Detection
	err       error
}

// detectSources detects the format of each source of inputs from its
// regular files together: every file is sampled and scored (workers at a
// time), then each source decided. Inputs that are not regular files are
// left to be detected as they are read (done false).
func detectSources(ctx context.Context, inputs []Input, workers int) []sourceFormat {
	out := make([]sourceFormat, len(inputs))
	groups := make(map[string][]int)
	var order []string
	var files []Input
	var at []int // files[k] is inputs[at[k]]
	for i, in := range inputs {
		if !sampleable(in) {
			continue
		}
		src := in.Source
		if src == "" {
			src = SourceOf(in.Name)
		}
		if _, ok := groups[src]; !ok {
			order = append(order, src)
		}
		groups[src] = append(groups[src], i)
		files = append(files, in)
		at = append(at, i)
	}
	formats := builtinFormats()
	examined := examineInputs(ctx, files, formats, workers)
	exams := make(map[int]exam, len(files))
	for k, i := range at {
		exams[i] = examined[k]
	}
	for _, src := range order {
		idx := groups[src]
		ins := make([]Input, len(idx))
		ex := make([]exam, len(idx))
		for k, i := range idx {
			ins[k], ex[k] = inputs[i], exams[i]
		}
		f, d, own, err := decideSource(ins, ex, formats)
		shared := &d
		notDetected := errors.Is(err, ErrNotDetected) && len(idx) > 1
		for k, i := range idx {
			sf := sourceFormat{done: true, format: f, detection: shared, err: err}
			switch {
			case errors.Is(err, ErrSourceMixed) && d.Inputs[k].Fits:
				sf.err = nil
			case errors.Is(err, ErrSourceMixed), notDetected:
				// Read in its own format, and say why.
				o := own[k]
				o.d.Source, o.d.Inputs = d.Source, d.Inputs
				if notDetected {
					o.d.Reason += fmt.Sprintf("; the files of its source %s together fit no format: read on its own", d.Source)
				} else {
					o.d.Reason += fmt.Sprintf("; this file does not fit the format of its source %s (%s): read on its own", d.Source, d.Format)
				}
				if o.f == nil && o.err == nil {
					o.err = err
				}
				sf = sourceFormat{done: true, format: o.f, detection: &o.d, err: o.err}
			}
			out[i] = sf
		}
	}
	return out
}
