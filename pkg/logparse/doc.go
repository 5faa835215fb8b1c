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
// Reader.All is the same loop as a range: it yields records and
// *ParseError line errors only, and ends at the end of the input or at a
// fatal error, which Reader.Err then returns, as bufio.Scanner does:
//
//	for rec, err := range r.All() {
//		if err != nil {
//			continue // a *ParseError
//		}
//		use(rec)
//	}
//	if err := r.Err(); err != nil {
//		return err // the input failed: records are missing
//	}
//
// Open reads a file in any supported compression and detects its format;
// NewReader reads the bytes it is given as they are, and refuses bytes
// that begin as gzip, bzip2, zstd or xz do (ErrCompressed):
//
//	r, err := logparse.Open("access.log.2.gz")
//	if err != nil { ... }
//	defer r.Close()
//
// # Formats
//
// ParseFormat accepts a built-in name (FormatNames lists them) or a format
// string: "apache:" followed by a mod_log_config LogFormat (httpd.conf
// escapes such as \" accepted), or "nginx:" followed by a log_format
// (with an optional leading escape=default|json|none). The built-ins:
//
//   - common, combined: Apache/NCSA; %b is body bytes
//   - combined_debian: Debian's Apache "combined", which logs %O (wire bytes)
//   - vhost_combined: Debian's "%v:%p %h ..."
//   - lighttpd: lighttpd's default accesslog.format (%t is the request's end)
//   - nginx_combined, nginx_range: nginx's combined (which writes " as \x22),
//     and combined plus "$http_range" $request_time $request_completion
//     $bytes_sent (NginxRangeLogFormat, the format to configure for forensics)
//   - w3c: IIS and other W3C extended logs; #Fields may change mid-file
//   - cloudfront, s3: AWS CloudFront standard logs and S3 server access logs
//   - caddy, jsonl: Caddy's JSON log; JSON lines with a field mapping
//     (JSONFormat)
//   - haproxy: HAProxy HTTP logs, with or without a syslog prefix
//   - compose:NAME: lines of format NAME behind docker compose's
//     "service | " prefix (ComposeFormat)
//
// Lines of a server's log that hold no HTTP request (HAProxy's TCP mode,
// IIS's FTP service) are rejected with ErrNotHTTP, a kind of their own.
//
// Formats whose lines depend on earlier lines (w3c and cloudfront, through
// their #Fields headers) are read in one piece; the others may be split.
//
// Detect chooses a format from an input's first lines and says why, in a
// Detection; look-alike formats (Apache and nginx combined, %b and %O) are
// told apart by evidence in the lines, and an ambiguous or unknown sample is
// an error naming the candidates.
//
// # Inputs
//
// ExpandInputs turns arguments (files, folders, globs, "-") into Inputs,
// rotated sets oldest first. Each Input names its log source (its rotated
// set: access.log for access.log.2.gz, u_ex.log for an IIS site folder's
// u_exYYMMDD.log files), by the one set of naming rules of SourceOf.
// OpenInput returns a Reader for one input, in a given format or the one
// detected. Underneath, Input.Open recognises gzip, bzip2, zstd, xz, LZ4
// and compress (.Z) by their magic bytes and computes the SHA-256 of the
// raw bytes as it reads.
// DetectSource detects one format for the files of a source together, and
// reports files that disagree or do not fit (ErrSourceMixed); DetectInput
// detects the format of one open input without losing bytes.
//
// # Parallel reading
//
// ParallelReader reads many inputs on all cores, detecting formats per
// source when none is given, and splits a big uncompressed file at line
// boundaries with exact line numbers and offsets, when its format declares
// that each line stands alone (Splittable).
// Records go to a callback with a worker number, so that a caller keeps one
// state per worker without locks.
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
// Use Record.Clone to keep one. A Reader is for one goroutine; close a
// Reader made by Open or OpenInput. Formats are immutable and may be
// shared.
package logparse
