// Package logparse reads web-server access logs as a stream of typed
// records, in many formats, without losing a line.
//
// # Reading
//
// A Reader reads one input in one Format, in the manner of encoding/csv:
//
//	f, err := logparse.ParseFormat("combined")
//	if err != nil { ... }
//	r := logparse.NewReader(os.Stdin, f)
//	r.Name = "access.log"
//	for {
//		rec, err := r.Read()
//		if err == io.EOF {
//			break
//		}
//		var perr *logparse.ParseError
//		if errors.As(err, &perr) {
//			continue // counted in r.Stats(); perr holds the position only
//		}
//		if err != nil {
//			return err // the input failed
//		}
//		use(rec)
//	}
//
// Every line read is either returned as a Record, skipped as a comment or
// header (counted in Stats.Skipped), or returned as a *ParseError: for each
// input, Stats.Lines == Records + Skipped + Rejected.
//
// # Formats
//
// ParseFormat accepts a built-in name (FormatNames lists them) or a format
// string: "apache:" followed by a mod_log_config LogFormat, or "nginx:"
// followed by a log_format. Detect chooses a format from an input's first
// lines and says why.
//
// # Errors and personal data
//
// Errors carry the input name, line, column and byte offset, never the
// contents of a line: log lines may hold personal data.
//
// # Lifetime and concurrency
//
// With Reader.ReuseRecord set, Read returns the same *Record each time and
// its strings alias the reader's buffer: they are valid until the next Read.
// Use Record.Clone to keep one. A Reader is for one goroutine; Formats are
// immutable and may be shared.
package logparse
