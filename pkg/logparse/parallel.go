package logparse

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
)

// DefaultSplitSize is the size from which ParallelReader splits an
// uncompressed file into chunks read in parallel.
const DefaultSplitSize = 64 << 20

// DefaultChunkSize is the nominal size of the chunks of a split file.
const DefaultChunkSize = 16 << 20

// An InputResult tells what reading one input gave.
type InputResult struct {
	Input Input
	// Format is the name of the format used, given or detected; "" when
	// the input could not be opened or its format not detected.
	Format string
	// Detection says why the format was chosen, when it was detected:
	// for the files of one source, the detection of them together (one
	// pointer shared by them), whose Disagreements lists the files that
	// chose otherwise on their own; for a file the source's format does
	// not fit (ErrSourceMixed), its own detection, whose Reason says so.
	Detection *Detection
	// Compression is the compression found (one of the Compression*
	// names).
	Compression string
	// Digest is the SHA-256 of the input's raw bytes, valid when DigestOK:
	// the input was read to its end (and ParallelReader.SkipDigest was
	// not set for a split file).
	Digest   Digest
	DigestOK bool
	// RawBytes is the number of raw bytes read (the file size once read
	// to the end).
	RawBytes int64
	// Stats sums the counts of the input's reader, or of all its chunks'
	// readers. Lines == Records + Skipped + Rejected holds for it too.
	Stats Stats
	// Chunks is the number of parts the input was read in: 1 unless it
	// was split.
	Chunks int
	// Err is what ended the input early, if anything: it could not be
	// opened, its format not detected, or a *ReadError. Records before the
	// error were delivered.
	Err error
}

// A ParallelReader reads many inputs with several goroutines, and splits
// big uncompressed files so that one file, too, is read on all cores.
// With Workers 1, inputs are read one after another in their order, and
// so are their records.
//
// As with Reader, settings are exported fields to set before Read.
//
// Records are handed to a callback, not returned: they are valid only
// during the call (they are reused, as with Reader.ReuseRecord); use
// Record.Clone to keep one. The callback is called from several
// goroutines at once: the worker number, from 0 to Workers-1, lets a
// caller keep one state per worker without locks; calls with one worker
// number never overlap. Records come in file order within an input (or a
// chunk of one), in no particular order between them: each Record carries
// its Source, Line and Offset, which are exact also in split files.
//
// A file is split when it is uncompressed, at least SplitSize bytes long,
// more than a worker's share of all inputs' bytes, its format reads each
// line on its own and Workers > 1. Inputs and chunks are handed out
// biggest first. A format says that it reads each line on its own by
// implementing Splittable; a format that does not is read in one piece,
// as are w3c and cloudfront, whose #Fields headers govern the lines after
// them. Chunks start at line boundaries; the newlines before each chunk
// are counted first (in parallel), so that line numbers are exact.
//
// ParallelReader is the package's one way to read in parallel; a Reader
// reads one input in one goroutine.
type ParallelReader struct {
	// Format is the format of every input; nil means detect it for each
	// log source (Input.Source) from the first lines of all its files
	// together (see DetectSource), so that the files of a rotated set are
	// read in one format; InputResult.Detection says why, and lists files
	// of a source that disagree. Standard input and other inputs that are
	// not regular files are detected on their own (see DetectInput).
	Format Format
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// MaxLineLength is passed to each Reader.
	MaxLineLength int
	// SplitSize is the size from which a file is split; 0 means
	// DefaultSplitSize, a negative value never splits.
	SplitSize int64
	// ChunkSize is the nominal size of a chunk; 0 means DefaultChunkSize.
	ChunkSize int64
	// SkipDigest skips the SHA-256 of split files, which costs a
	// sequential pass over the file beside the parallel reading (inputs
	// read whole are hashed as they are read, at little cost).
	SkipDigest bool
	// OnError, if set, is called with each line that could not be
	// parsed, from the worker that read it.
	OnError func(worker int, err *ParseError)
}

// Read reads all inputs, calling fn for each record. It returns one
// InputResult per input, in the order of inputs. An input that fails
// (cannot be opened, format not detected, read error) is reported in its
// InputResult and does not stop the others. Read stops early and returns
// an error only when fn returns one (that error) or ctx ends.
func (p *ParallelReader) Read(ctx context.Context, inputs []Input, fn func(worker int, rec *Record) error) ([]InputResult, error) {
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	splitSize := p.SplitSize
	if splitSize == 0 {
		splitSize = DefaultSplitSize
	}
	chunkSize := p.ChunkSize
	if chunkSize <= 0 {
		chunkSize = DefaultChunkSize
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	results := make([]InputResult, len(inputs))
	var mu sync.Mutex // guards results during the read phase
	var jobs []parJob
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	var digests sync.WaitGroup

	// A file is worth splitting only when it holds more than a worker's
	// share of all the work: otherwise the other inputs keep the workers
	// busy, and counting its lines first would read it twice.
	var total int64
	for _, in := range inputs {
		total += max(in.Size, 0)
	}
	// Without a format, detect one per log source, from its files
	// together (see DetectSource).
	var pre []sourceFormat
	if p.Format == nil {
		pre = detectSources(ctx, inputs, workers)
	}
	for i, in := range inputs {
		results[i] = InputResult{Input: in, Compression: in.Compression, Chunks: 1}
		var inFormat Format // detected with its source
		if pre != nil && pre[i].done {
			results[i].Detection = pre[i].detection
			if pre[i].err != nil && pre[i].format == nil {
				results[i].Err = pre[i].err
				continue
			}
			inFormat = pre[i].format
		}
		if in.Path == "-" || workers < 2 || splitSize < 0 || in.Size < splitSize || in.Size*int64(workers) <= total {
			jobs = append(jobs, parJob{input: i, format: inFormat})
			continue
		}
		f, err := os.Open(in.Path)
		if err != nil {
			results[i].Err = fmt.Errorf("logparse: %w", err)
			continue
		}
		var head [8]byte
		n, _ := f.ReadAt(head[:], 0)
		comp := sniffCompression(head[:n])
		fi, err := f.Stat()
		if err != nil || comp != CompressionNone || fi.Size() < splitSize {
			f.Close()
			jobs = append(jobs, parJob{input: i, format: inFormat})
			continue
		}
		results[i].Compression = comp
		size := fi.Size()
		format := p.Format
		if format == nil {
			format = inFormat
		}
		if format == nil {
			sample := make([]byte, min(size, DetectSampleSize))
			if _, err := f.ReadAt(sample, 0); err != nil {
				f.Close()
				results[i].Err = &ReadError{Path: in.Name, Err: err}
				continue
			}
			if i := bytes.LastIndexByte(sample, '\n'); i >= 0 && int64(len(sample)) < size {
				sample = sample[:i+1]
			}
			df, d, err := Detect(sample)
			results[i].Detection = &d
			if err != nil {
				f.Close()
				results[i].Err = err
				continue
			}
			format = df
		}
		results[i].Format = format.Name()
		if !isSplittable(format) {
			f.Close()
			jobs = append(jobs, parJob{input: i, format: format})
			continue
		}
		files = append(files, f)
		chunks, err := planChunks(ctx, f, size, chunkSize, workers)
		if err != nil {
			results[i].Err = &ReadError{Path: in.Name, Err: err}
			continue
		}
		results[i].Chunks = len(chunks)
		results[i].RawBytes = size
		for _, c := range chunks {
			jobs = append(jobs, parJob{input: i, format: format, file: f, chunk: c, split: true})
		}
		if !p.SkipDigest {
			digests.Add(1)
			go func(i int, f *os.File) {
				defer digests.Done()
				h := sha256.New()
				_, err := io.Copy(h, &ctxReader{ctx: ctx, r: io.NewSectionReader(f, 0, size)})
				if err != nil {
					return
				}
				mu.Lock()
				h.Sum(results[i].Digest[:0])
				results[i].DigestOK = true
				mu.Unlock()
			}(i, f)
		}
	}

	ch := make(chan parJob)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if ctx.Err() != nil {
					continue // stopping: drain
				}
				res, err := p.runJob(ctx, w, inputs[j.input], j, fn)
				if err != nil {
					cancel(err)
				}
				mu.Lock()
				merge(&results[j.input], res, j.split)
				mu.Unlock()
			}
		}()
	}
	// The biggest jobs first, so that the last ones to finish are small;
	// one worker reads the inputs in their order.
	if workers > 1 {
		slices.SortStableFunc(jobs, func(a, b parJob) int {
			return cmp.Compare(b.size(inputs), a.size(inputs))
		})
	}
feed:
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	digests.Wait()
	if err := context.Cause(ctx); err != nil {
		return results, err
	}
	return results, nil
}

// isSplittable reports whether a format's inputs may be split: only when
// the format says so (see Splittable).
func isSplittable(f Format) bool {
	s, ok := f.(Splittable)
	return ok && s.Splittable()
}

type chunk struct {
	start, end int64 // byte range
	firstLine  int64 // lines before start
}

type parJob struct {
	input  int
	format Format // nil: p.Format or detect
	file   *os.File
	chunk  chunk
	split  bool
}

// size is the number of bytes a job reads, as far as known.
func (j parJob) size(inputs []Input) int64 {
	if j.split {
		return j.chunk.end - j.chunk.start
	}
	return inputs[j.input].Size
}

// planChunks splits [0,size) into chunks of about chunkSize that start
// at line beginnings, and counts the lines before each, reading the
// regions in parallel.
func planChunks(ctx context.Context, f io.ReaderAt, size, chunkSize int64, workers int) ([]chunk, error) {
	nreg := int((size + chunkSize - 1) / chunkSize)
	type region struct {
		newlines  int64
		firstNL   int64 // first newline in the region, -1 if none
		err       error
		from, end int64
	}
	regs := make([]region, nreg)
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i := range regs {
		// Region i covers [i*chunkSize-1, (i+1)*chunkSize-1): a newline
		// just before a nominal boundary starts the chunk at the boundary.
		from := max(int64(i)*chunkSize-1, 0)
		end := min(int64(i+1)*chunkSize-1, size)
		if i == nreg-1 {
			end = size
		}
		regs[i].from, regs[i].end = from, end
		wg.Add(1)
		sem <- struct{}{}
		go func(r *region) {
			defer func() { <-sem; wg.Done() }()
			r.firstNL = -1
			buf := make([]byte, min(1<<20, r.end-r.from))
			for off := r.from; off < r.end; {
				if ctx.Err() != nil {
					r.err = ctx.Err()
					return
				}
				n := int(min(int64(len(buf)), r.end-off))
				if _, err := f.ReadAt(buf[:n], off); err != nil {
					r.err = err
					return
				}
				b := buf[:n]
				if r.firstNL < 0 {
					if j := bytes.IndexByte(b, '\n'); j >= 0 {
						r.firstNL = off + int64(j)
					}
				}
				r.newlines += int64(bytes.Count(b, newline))
				off += int64(n)
			}
		}(&regs[i])
	}
	wg.Wait()
	var chunks []chunk
	var before int64 // newlines in the regions before region i
	cur := chunk{start: 0}
	for i, r := range regs {
		if r.err != nil {
			return nil, r.err
		}
		if i > 0 && r.firstNL >= 0 && r.firstNL+1 < size {
			start := r.firstNL + 1
			cur.end = start
			chunks = append(chunks, cur)
			cur = chunk{start: start, firstLine: before + 1}
		}
		before += r.newlines
	}
	cur.end = size
	return append(chunks, cur), nil
}

var newline = []byte{'\n'}

// ctxReader stops reading when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// jobResult is what one job found, merged into its InputResult.
type jobResult struct {
	format      string
	detection   *Detection
	compression string
	digest      Digest
	digestOK    bool
	rawBytes    int64
	stats       Stats
	err         error
}

// runJob reads one input or one chunk of one. It returns an error only
// when fn does or ctx ends.
func (p *ParallelReader) runJob(ctx context.Context, worker int, in Input, j parJob, fn func(int, *Record) error) (jobResult, error) {
	var res jobResult
	format := j.format
	if format == nil {
		format = p.Format
	}
	var r *Reader
	if j.split {
		r = NewReader(io.NewSectionReader(j.file, j.chunk.start, j.chunk.end-j.chunk.start), format)
		r.Name = in.Name
		r.firstLine, r.firstOffset = j.chunk.firstLine, j.chunk.start
	} else {
		var err error
		r, res.detection, err = openInput(in, format)
		if err != nil {
			res.err = err
			return res, nil
		}
		defer r.Close()
		res.compression = r.input.Compression()
	}
	res.format = r.Format().Name()
	r.ReuseRecord = true
	r.MaxLineLength = p.MaxLineLength
	var ferr error
	for n := 0; ; n++ {
		if n&4095 == 4095 && ctx.Err() != nil {
			ferr = context.Cause(ctx)
			break
		}
		rec, err := r.Read()
		if err == nil {
			if err := fn(worker, rec); err != nil {
				ferr = err
				break
			}
			continue
		}
		if err == io.EOF {
			break
		}
		var perr *ParseError
		if errors.As(err, &perr) {
			if p.OnError != nil {
				p.OnError(worker, perr)
			}
			continue
		}
		res.err = err
		break
	}
	res.stats = r.Stats()
	if ir := r.input; ir != nil {
		res.digest, res.digestOK = ir.Digest()
		res.rawBytes = ir.RawBytes()
	}
	return res, ferr
}

// merge adds a job's result to its input's result.
func merge(dst *InputResult, res jobResult, split bool) {
	if res.format != "" {
		dst.Format = res.format
	}
	if res.detection != nil {
		dst.Detection = res.detection
	}
	if res.compression != "" {
		dst.Compression = res.compression
	}
	if !split {
		dst.Digest, dst.DigestOK, dst.RawBytes = res.digest, res.digestOK, res.rawBytes
	}
	if res.err != nil && dst.Err == nil {
		dst.Err = res.err
	}
	s := &dst.Stats
	s.Lines += res.stats.Lines
	s.Records += res.stats.Records
	s.Skipped += res.stats.Skipped
	s.Rejected += res.stats.Rejected
	s.Bytes += res.stats.Bytes
	s.CRLF += res.stats.CRLF
	s.InvalidUTF8 += res.stats.InvalidUTF8
	s.NULPrefixed += res.stats.NULPrefixed
	for k, v := range res.stats.RejectedBy {
		if s.RejectedBy == nil {
			s.RejectedBy = make(map[string]int64)
		}
		s.RejectedBy[k] += v
	}
}
