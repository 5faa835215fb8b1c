// Package dataset writes access-log requests as a hive-partitioned Parquet
// dataset, for SQL engines (DuckDB, Spark, Trino) to decide on at a scale
// past one machine:
//
//	DIR/requests/source=<log source>/date=YYYY-MM-DD/part-<run>-<n>.parquet
//
// One row per request (Row): the record as logged, and the engine's
// reading of it from pkg/exposure (the path key the index is matched on,
// whether it is a listing and of which folder, the actor, what it
// delivered without the file's size), so that the SQL in sql/ matches and
// decides as the engine does without Go.
//
// # Files
//
// Rows are buffered per partition and written sorted by time (then input
// and line), in files of bounded row groups (RowGroupRows), zstd, with
// dictionaries for the repetitive text columns and page statistics and
// column indexes long enough to prune on paths. A partition's buffer is
// written as a file when it reaches FileRows rows; when all buffers
// together hold about MemoryBytes, the partitions written to longest ago
// are written until half of it is left (logs come mostly in time order:
// those are the days that are complete). Memory stays bounded whatever
// the size of the logs; the rest is written by Close.
//
// A run's files are named after its inputs (<run> is a hash of their
// names and sizes) and each file appears atomically. The same inputs give
// the same files, byte for byte, under the same names: a rerun replaces
// them with themselves. Other inputs (the rest of the logs) give other
// names: their files are added to the dataset and no earlier file is
// rewritten.
//
// # Concurrency
//
// A Writer is for one goroutine.
package dataset

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/forensiclog/forensics/internal/parquetout"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/forensiclog/forensics/internal/atomicfile"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// Row is one request of the dataset. Nullable columns are NULL when the
// log does not carry the value.
type Row struct {
	// Time is the logged time in UTC, microseconds; OffsetMinutes the
	// zone offset it was logged with; TimeText the time as logged, RFC
	// 3339 with that offset.
	Time *time.Time `parquet:"time,optional,timestamp(microsecond)"`
	// TimeUS is Time in Unix microseconds: the SQL compares integers,
	// the same in every engine and session time zone.
	TimeUS        *int64  `parquet:"time_us,optional"`
	OffsetMinutes *int32  `parquet:"offset_minutes,optional"`
	TimeText      *string `parquet:"time_text,optional"`
	// Client is the peer as logged; Actor the client the engine keys
	// actors by (through trusted proxies' X-Forwarded-For).
	Client       *string `parquet:"client,optional,dict"`
	Actor        string  `parquet:"actor,dict"`
	ForwardedFor string  `parquet:"forwarded_for,dict"`
	Method       string  `parquet:"method,dict"`
	Path         string  `parquet:"path,dict"`
	Query        string  `parquet:"query,dict"`
	Protocol     string  `parquet:"protocol,dict"`
	Status       *int32  `parquet:"status,optional"`
	BodyBytes    *int64  `parquet:"body_bytes,optional"`
	WireBytes    *int64  `parquet:"wire_bytes,optional"`
	Range        string  `parquet:"range,dict"`
	ContentRange string  `parquet:"content_range,dict"`
	UserAgent    string  `parquet:"user_agent,dict"`
	Referer      string  `parquet:"referer,dict"`
	Completion   string  `parquet:"completion,dict"`

	// PathKey is exposure.RequestKey of the path: the key of the index
	// the request names (NULL for a path outside --strip-prefix).
	PathKey *string `parquet:"path_key,optional,dict"`
	// Listing: a successful directory listing (exposure.IsListing) of
	// ListingFolder (exposure.FolderKey). ListingServer is the server
	// that answered as the format tells it (unknown, apache, caddy,
	// plain: Options.ListingServer). ListingFiltered: the query may show
	// part of the folder only on that server (Apache's ?P=, Caddy's
	// ?limit= and ?offset=, both on an unknown server), as the engine
	// decides which listings it reads entry by entry
	// (exposure.ListingView); then the columns below hold the query's
	// reading.
	Listing         bool    `parquet:"listing"`
	ListingFolder   *string `parquet:"listing_folder,optional,dict"`
	ListingServer   string  `parquet:"listing_server,dict"`
	ListingFiltered bool    `parquet:"listing_filtered"`
	// ListingPattern is Apache's P= glob as an anchored regular
	// expression (RE2 and Java syntax) over an entry's name in
	// hexadecimal (GlobRegexp, HexName); NULL when there is none. ListingPatternDot: the glob starts with '.' (a name
	// that starts with '.' matches only such a glob).
	ListingPattern    *string `parquet:"listing_pattern,optional,dict"`
	ListingPatternDot bool    `parquet:"listing_pattern_dot"`
	// ListingSort, ListingOrder, ListingOffset, ListingLimit are Caddy's
	// sort, order, offset and limit ("" and 0 when absent).
	ListingSort   string `parquet:"listing_sort,dict"`
	ListingOrder  string `parquet:"listing_order,dict"`
	ListingOffset int64  `parquet:"listing_offset"`
	ListingLimit  int64  `parquet:"listing_limit"`

	// PathInfoKeys are, for a GET or POST answered 200 or 206 whose
	// count could be a file's, the keys of the path's proper prefixes
	// (exposure.PathInfoKeys): a request that names no recording, and is
	// no listing of a folder of the index, names the recording with the
	// shortest of them through path info ("x.wav/extra.mp3"), when the
	// file's size lies in [PathInfoMin, PathInfoMax] (NULL: no bound;
	// exposure.PathInfoSizes). NULL otherwise.
	PathInfoKeys []string `parquet:"path_info_keys,list,optional"`
	PathInfoMin  *int64   `parquet:"path_info_min,optional"`
	PathInfoMax  *int64   `parquet:"path_info_max,optional"`

	// What the request delivered, before the file's size is known
	// (exposure.ClassifyRequest): Delivery is none, metadata or content;
	// Measured is true for a GET or POST answered 200 or 206 (measured
	// against the size); DeliveredBytes the body bytes believed sent
	// (NULL: no count logged); RangeSource, RangeStart, RangeEnd
	// (exclusive; NULL: to the end of the file) and RangeSuffix (the last
	// N bytes) where a 206's bytes lay; Uncertain the flags known
	// without the size, comma-separated.
	Delivery         string `parquet:"delivery,dict"`
	PriorCopy        bool   `parquet:"prior_copy"`
	Measured         bool   `parquet:"measured"`
	DeliveredBytes   *int64 `parquet:"delivered_bytes,optional"`
	RangeSource      string `parquet:"range_source,dict"`
	RangeStart       *int64 `parquet:"range_start,optional"`
	RangeEnd         *int64 `parquet:"range_end,optional"`
	RangeSuffix      *int64 `parquet:"range_suffix,optional"`
	Aborted          bool   `parquet:"aborted"`
	CompletionLogged bool   `parquet:"completion_logged"`
	Uncertain        string `parquet:"uncertain,dict"`

	// ActorLabel and ActorCategory: the known-actor rule (--actors) that
	// matches the actor's address and this request's user agent; NULL
	// when none does.
	ActorLabel    *string `parquet:"actor_label,optional,dict"`
	ActorCategory *string `parquet:"actor_category,optional,dict"`

	// Country, City, ASN and ASOrg: the GeoIP lookup of the actor's
	// address (Options.Geo), as the engine attributes actors: empty and 0
	// when the databases know nothing of it or the actor is a host name;
	// NULL without databases.
	Country *string `parquet:"country,optional,dict"`
	City    *string `parquet:"city,optional,dict"`
	ASN     *int64  `parquet:"asn,optional"`
	ASOrg   *string `parquet:"as_org,optional,dict"`
	// UAClass and UAName: this request's user agent as
	// Options.UserAgents reads it (the engine reads an actor's most
	// frequent one); NULL without a parser.
	UAClass *string `parquet:"ua_class,optional,dict"`
	UAName  *string `parquet:"ua_name,optional,dict"`

	// Evidence: the log source (a rotated set), the input file, the line
	// and its byte offset in the decompressed input.
	LogSource string `parquet:"log_source,dict"`
	Input     string `parquet:"input,dict"`
	Line      int64  `parquet:"line"`
	Offset    int64  `parquet:"offset"`
}

// Options set how requests are read into rows.
type Options struct {
	// PathMapper maps request paths to index paths, as the index given
	// to the SQL was loaded (forensics index export).
	PathMapper exposure.PathMapper
	// Proxies resolves the client behind trusted proxies.
	Proxies exposure.ClientResolver
	// Actors labels actors; nil leaves actor_label and actor_category NULL.
	Actors exposure.ActorDirectory
	// Geo places actors; nil leaves country, city, asn and as_org NULL.
	Geo exposure.GeoLookup
	// UserAgents classifies user agents; nil leaves ua_class and ua_name
	// NULL. It is asked once per row: give it a cache.
	UserAgents exposure.UserAgentParser
	// ListingServer is the server whose listings the logs record, as
	// the engine is told it (exposure.Options.ListingServer).
	ListingServer exposure.ListingServer
	// HeaderBytes is subtracted from wire byte counts; 0 means
	// exposure.DefaultHeaderBytes.
	HeaderBytes int64
	// SourceOf names the log source of an input; nil means
	// logparse.SourceOf.
	SourceOf func(input string) string
}

// Sizes of files and row groups.
const (
	// RowGroupRows bounds a row group (parquet-go's default is unbounded).
	RowGroupRows = 128 * 1024
	// FileRows is the most rows a partition buffers before it is written
	// as a file.
	FileRows = 1 << 20
	// MemoryBytes bounds, roughly, the memory all partitions' buffers
	// take together.
	MemoryBytes = 64 << 20
	// rowOverhead estimates a buffered row's memory beyond its text.
	rowOverhead = 768
	// pathIndexBytes is how much of a path the column index keeps per
	// page (parquet-go's default is 16 bytes, less than any folder).
	pathIndexBytes = 256
)

// NullPartition is the hive partition value of requests without a time.
const NullPartition = "__HIVE_DEFAULT_PARTITION__"

type partKey struct{ source, date string }

type partition struct {
	rows  []Row
	bytes int    // estimated memory of rows
	last  uint64 // the Writer's write count when a row was last added
	n     int    // files written
}

// A Writer writes rows into a dataset directory. Create one with Create.
type Writer struct {
	dir   string
	run   string
	opt   Options
	parts map[partKey]*partition
	held  int    // estimated bytes buffered
	count uint64 // rows written
	names intern
	files []string
	err   error
	done  bool

	fileRows, memBytes int
}

// Create starts writing the requests of inputs into the dataset at dir
// (created if needed). inputs name the run: the same inputs, the same
// file names.
func Create(dir string, inputs []logparse.Input, opt Options) (*Writer, error) {
	if opt.SourceOf == nil {
		opt.SourceOf = logparse.SourceOf
	}
	if opt.HeaderBytes == 0 {
		opt.HeaderBytes = exposure.DefaultHeaderBytes
	}
	if err := os.MkdirAll(filepath.Join(dir, "requests"), 0o700); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	h := sha256.New()
	for _, in := range inputs {
		fmt.Fprintf(h, "%s\x00%d\x00", in.Name, in.Size)
	}
	return &Writer{
		dir: dir, run: hex.EncodeToString(h.Sum(nil))[:16], opt: opt,
		parts: map[partKey]*partition{}, fileRows: FileRows, memBytes: MemoryBytes,
	}, nil
}

// Write adds one request. It keeps nothing that aliases rec.
func (w *Writer) Write(rec *logparse.Record) error {
	if w.done {
		return fmt.Errorf("dataset: write after close")
	}
	if w.err != nil {
		return w.err
	}
	row := w.row(rec)
	k := partKey{source: w.opt.SourceOf(rec.Source), date: NullPartition}
	if row.Time != nil {
		k.date = row.Time.Format(time.DateOnly)
	}
	p := w.parts[k]
	if p == nil {
		p = &partition{}
		w.parts[k] = p
	}
	p.rows = append(p.rows, row)
	n := row.size()
	p.bytes += n
	w.held += n
	w.count++
	p.last = w.count
	if len(p.rows) >= w.fileRows {
		return w.flush(k, p)
	}
	if w.held >= w.memBytes {
		return w.flushOldest()
	}
	return nil
}

// size estimates the memory a buffered row takes.
func (r *Row) size() int {
	n := rowOverhead + len(r.Path) + len(r.Query) + len(r.Range) + len(r.ContentRange) + len(r.Referer) + len(r.ForwardedFor)
	if r.PathKey != nil {
		n += len(*r.PathKey)
	}
	if r.ListingFolder != nil {
		n += len(*r.ListingFolder)
	}
	return n + 24*len(r.PathInfoKeys)
}

// row converts a record.
func (w *Writer) row(rec *logparse.Record) Row {
	r := Row{
		Actor:        w.names.get(exposure.ActorAddress(rec, w.opt.Proxies)),
		ForwardedFor: text(rec.ForwardedFor),
		Method:       w.names.get(rec.Method),
		Path:         text(rec.Path),
		Query:        text(rec.Query),
		Protocol:     w.names.get(rec.Protocol),
		Range:        text(rec.Range),
		ContentRange: text(rec.ContentRange),
		UserAgent:    w.names.get(rec.UserAgent),
		Referer:      text(rec.Referer),
		Completion:   rec.Completion.String(),
		LogSource:    w.names.get(w.opt.SourceOf(rec.Source)),
		Input:        w.names.get(rec.Source),
		Line:         rec.Line,
		Offset:       rec.Offset,
	}
	if !rec.Time.IsZero() {
		t := rec.Time.UTC().Truncate(time.Microsecond)
		_, off := rec.Time.Zone()
		m := int32(off / 60)
		s := rec.Time.Format(time.RFC3339Nano)
		us := t.UnixMicro()
		r.Time, r.TimeUS, r.OffsetMinutes, r.TimeText = &t, &us, &m, &s
	}
	if rec.Client.IsValid() {
		s := rec.Client.String()
		r.Client = &s
	} else if rec.ClientHost != "" {
		s := text(rec.ClientHost)
		r.Client = &s
	}
	if rec.Status != 0 {
		s := int32(rec.Status)
		r.Status = &s
	}
	r.BodyBytes = count(rec.BodyBytes)
	r.WireBytes = count(rec.WireBytes)
	if key, ok := exposure.RequestKey(rec.Path, w.opt.PathMapper); ok {
		key = text(key)
		r.PathKey = &key
		if exposure.IsListing(rec, w.opt.HeaderBytes) {
			f := exposure.FolderKey(key)
			r.Listing, r.ListingFolder = true, &f
			w.listingView(&r, rec.Query)
		}
	}
	if lo, hi, ok := exposure.PathInfoSizes(rec, w.opt.HeaderBytes); ok {
		if keys := exposure.PathInfoKeys(rec.Path, w.opt.PathMapper); len(keys) > 0 {
			for i, k := range keys {
				keys[i] = w.names.get(k)
			}
			r.PathInfoKeys, r.PathInfoMin = keys, &lo
			if hi >= 0 {
				r.PathInfoMax = &hi
			}
		}
	}
	d := exposure.ClassifyRequest(rec, w.opt.HeaderBytes)
	r.Delivery = d.Kind.String()
	r.PriorCopy = d.PriorCopy
	r.Measured = d.Status != 0
	if d.Kind == exposure.DeliveryContent {
		r.DeliveredBytes = count(d.Body)
		r.RangeSource = d.Range.String()
		switch {
		case d.Suffix > 0:
			r.RangeSuffix = &d.Suffix
		case d.Range == exposure.RangeContent || d.Range == exposure.RangeRequested:
			r.RangeStart = &d.First
			if d.Last >= 0 {
				end := d.Last + 1
				r.RangeEnd = &end
			}
		}
	}
	r.Aborted = d.Aborted
	r.CompletionLogged = d.CompletionLogged
	if d.Uncertain != 0 {
		r.Uncertain = w.names.get(strings.Join(d.Uncertain.Strings(), ","))
	}
	if w.opt.Actors != nil || w.opt.Geo != nil {
		addr, err := netip.ParseAddr(r.Actor)
		if err != nil {
			addr = netip.Addr{} // a host name: rules by user agent only, no place
		}
		if w.opt.Actors != nil {
			if k, ok := w.opt.Actors.MatchActor(addr, rec.UserAgent); ok {
				label, cat := w.names.get(k.Label), w.names.get(k.Category)
				r.ActorLabel, r.ActorCategory = &label, &cat
			}
		}
		if w.opt.Geo != nil {
			var g exposure.Geo
			if addr.IsValid() {
				g, _, _ = w.opt.Geo.LookupGeo(addr) // a failed lookup places nothing, as in the engine
			}
			country, city, org, asn := w.names.get(g.Country), w.names.get(g.City), w.names.get(g.ASOrg), int64(g.ASN)
			r.Country, r.City, r.ASOrg, r.ASN = &country, &city, &org, &asn
		}
	}
	if w.opt.UserAgents != nil {
		u := w.opt.UserAgents.ParseUserAgent(rec.UserAgent)
		class, name := w.names.get(u.Class), w.names.get(u.Name)
		r.UAClass, r.UAName = &class, &name
	}
	return r
}

// listingView fills a listing's view columns as the engine reads its
// query (Shard.viewID): a view only where the server may filter or page.
func (w *Writer) listingView(r *Row, query string) {
	srv := w.opt.ListingServer
	r.ListingServer = listingServerNames[srv]
	if query == "" {
		return
	}
	v := exposure.ParseListingView(query)
	pattern := v.Pattern != "" && (srv == exposure.ListingServerUnknown || srv == exposure.ListingServerApache)
	paged := (v.Offset > 0 || v.Limit > 0) && (srv == exposure.ListingServerUnknown || srv == exposure.ListingServerCaddy)
	if !pattern && !paged {
		return
	}
	r.ListingFiltered = true
	if pattern {
		re := w.names.get(GlobRegexp(v.Pattern, w.opt.PathMapper.FoldCase))
		r.ListingPattern, r.ListingPatternDot = &re, v.Pattern[0] == '.'
	}
	r.ListingSort, r.ListingOrder = w.names.get(v.Sort), w.names.get(v.Order)
	r.ListingOffset, r.ListingLimit = int64(v.Offset), int64(v.Limit)
}

var listingServerNames = map[exposure.ListingServer]string{
	exposure.ListingServerUnknown: "unknown", exposure.ListingServerApache: "apache",
	exposure.ListingServerCaddy: "caddy", exposure.ListingServerPlain: "plain",
}

// flushOldest writes the partitions written to longest ago until half
// of the memory budget is left.
func (w *Writer) flushOldest() error {
	type aged struct {
		k    partKey
		last uint64
	}
	var all []aged
	for k, p := range w.parts {
		if len(p.rows) > 0 {
			all = append(all, aged{k, p.last})
		}
	}
	slices.SortFunc(all, func(a, b aged) int { return cmp.Compare(a.last, b.last) })
	for _, a := range all {
		if w.held <= w.memBytes/2 {
			break
		}
		if err := w.flush(a.k, w.parts[a.k]); err != nil {
			return err
		}
	}
	return nil
}

// flush writes a partition's buffered rows as one file, sorted by time.
func (w *Writer) flush(k partKey, p *partition) error {
	if len(p.rows) == 0 {
		return nil
	}
	slices.SortStableFunc(p.rows, func(a, b Row) int {
		switch {
		case a.Time == nil || b.Time == nil:
			if c := cmp.Compare(boolInt(a.Time == nil), boolInt(b.Time == nil)); c != 0 {
				return c
			}
		default:
			if c := a.Time.Compare(*b.Time); c != 0 {
				return c
			}
		}
		return cmp.Or(strings.Compare(a.Input, b.Input), cmp.Compare(a.Line, b.Line))
	})
	dir := filepath.Join(w.dir, "requests", "source="+escape(k.source), "date="+k.date)
	name := filepath.Join(dir, "part-"+w.run+"-"+strconv.Itoa(p.n)+".parquet")
	if err := writeFile(name, p.rows); err != nil {
		w.err = err
		return err
	}
	p.n++
	w.held -= p.bytes
	p.bytes = 0
	p.rows = nil // a day's buffer is not needed again soon: let it go
	w.files = append(w.files, name)
	return nil
}

// Close writes what is buffered and returns the files written, in the
// order they were written.
func (w *Writer) Close() ([]string, error) {
	if w.done {
		return nil, fmt.Errorf("dataset: closed twice")
	}
	w.done = true
	if w.err != nil {
		return nil, w.err
	}
	keys := make([]partKey, 0, len(w.parts))
	for k := range w.parts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b partKey) int {
		return cmp.Or(strings.Compare(a.source, b.source), strings.Compare(a.date, b.date))
	})
	for _, k := range keys {
		if err := w.flush(k, w.parts[k]); err != nil {
			return nil, err
		}
	}
	return w.files, nil
}

// writeFile writes rows to a Parquet file that appears only once complete.
func writeFile(name string, rows []Row) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	f, err := atomicfile.CreateTemp(filepath.Dir(name), ".part.tmp-")
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("dataset: %s: %w", filepath.Base(name), err)
	}
	pw := parquet.NewGenericWriter[Row](f,
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedDefault}),
		parquet.MaxRowsPerRowGroup(RowGroupRows),
		parquet.PageBufferSize(256<<10),
		parquet.DataPageStatistics(true),
		parquet.ColumnIndexSizeLimit(func(path []string) int {
			switch path[0] {
			case "path", "path_key", "listing_folder", "input", "log_source":
				return pathIndexBytes
			}
			return 64
		}),
		parquet.SortingWriterConfig(parquet.SortingColumns(parquet.Ascending("time"))),
		parquet.KeyValueMetadata("forensics.dataset", "requests v1"),
	)
	for len(rows) > 0 {
		n := min(len(rows), 4096)
		if _, err := pw.Write(rows[:n]); err != nil {
			return fail(err)
		}
		rows = rows[n:]
	}
	if err := pw.Close(); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("dataset: %w", err)
	}
	return nil
}

// escape makes a log source a hive partition value: path separators and
// other bytes special in paths are percent-escaped. The log_source column
// holds the name as it is.
func escape(s string) string {
	return url.PathEscape(s)
}

// intern shares the copies of values that repeat from row to row (user
// agents, actors, methods, input names), up to maxIntern of them.
type intern map[string]string

const maxIntern = 1 << 16

func (m *intern) get(s string) string {
	if v, ok := (*m)[s]; ok {
		return v
	}
	v := text(s)
	if *m == nil {
		*m = make(intern)
	}
	if len(*m) < maxIntern {
		(*m)[v] = v
	}
	return v
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func count(n int64) *int64 {
	if n == logparse.NotLogged || n < 0 {
		return nil
	}
	return &n
}

// text returns a copy of s that is valid UTF-8 (Parquet strings must be).
func text(s string) string { return parquetout.ValidText(s) }
