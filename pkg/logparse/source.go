package logparse

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
// The inputs must be regular files, which can be opened twice (here, and
// to read them): standard input, named pipes (Size -1) and ReaderInputs
// are detected as they are read, with DetectInput. Files that cannot be
// opened are left out of the detection (their InputDetection has no
// Format); reading them reports the error.
func DetectSource(inputs []Input) (Format, Detection, error) {
	f, d, _, err := detectSource(inputs, builtinFormats())
	return f, d, err
}

// ownChoice is what one file's own lines choose.
type ownChoice struct {
	f   Format // nil when none
	d   Detection
	err error
}

// detectSource is DetectSource; it also returns each input's own choice.
func detectSource(inputs []Input, formats []Format) (Format, Detection, []ownChoice, error) {
	own := make([]ownChoice, len(inputs))
	var samples [][]byte
	var which []int // samples[k] is of inputs[which[k]]
	ids := make([]InputDetection, len(inputs))
	source := ""
	for i, in := range inputs {
		ids[i].Name = in.Name
		if source == "" {
			source = in.Source
			if source == "" {
				source = SourceOf(in.Name)
			}
		}
		if in.r != nil || in.Stdin() || in.Size < 0 {
			return nil, Detection{}, nil, fmt.Errorf("logparse: DetectSource: %s is not a file", in.Name)
		}
		sample, err := sampleInput(in)
		if err != nil && len(sample) == 0 {
			own[i].err = err
			continue
		}
		f, d, err := detect(sample, formats)
		own[i] = ownChoice{f, d, err}
		if err == nil {
			ids[i].Format = d.Format
		}
		if len(bytes.TrimSpace(sample)) == 0 {
			continue // an empty file says nothing of the source
		}
		samples = append(samples, sample)
		which = append(which, i)
	}
	if len(samples) == 0 {
		// Every file is empty (or unreadable): read each as it is.
		d := Detection{Format: "empty", Reason: "the source's files are empty or hold only blank lines", Source: source, Inputs: ids}
		return emptyFormat{}, d, own, nil
	}
	f, d, per, err := detectSamples(samples, formats)
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
		if ji < 0 {
			continue // the empty format: cannot happen with data
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
// regular files together, sources in parallel. Inputs that are not
// regular files are left to be detected as they are read (done false).
func detectSources(ctx context.Context, inputs []Input, workers int) []sourceFormat {
	out := make([]sourceFormat, len(inputs))
	groups := make(map[string][]int)
	var order []string
	for i, in := range inputs {
		if in.r != nil || in.Stdin() || in.Size < 0 {
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
	}
	formats := builtinFormats()
	jobs := make(chan []int)
	var wg sync.WaitGroup
	for range min(workers, len(order)) {
		wg.Go(func() {
			for idx := range jobs {
				if ctx.Err() != nil {
					continue
				}
				ins := make([]Input, len(idx))
				for k, i := range idx {
					ins[k] = inputs[i]
				}
				f, d, own, err := detectSource(ins, formats)
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
		})
	}
	for _, src := range order {
		jobs <- groups[src]
	}
	close(jobs)
	wg.Wait()
	return out
}
