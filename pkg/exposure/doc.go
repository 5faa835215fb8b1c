// Package exposure decides, from access-log records and a recording index,
// which recordings were delivered, how much of each, to whom, and which
// persons were exposed.
//
// # Use
//
// Load the index, make an Engine, let one Shard per goroutine observe the
// records (from package logparse), then Finish: the rows go to a Sink as
// they are decided.
//
//	ix, err := exposure.LoadIndex("recordings.csv", exposure.IndexOptions{})
//	if err != nil {
//		return err // the index cannot be read at all; bad rows are in ix.Errors()
//	}
//	eng := exposure.NewEngine(ix, exposure.Options{})
//	defer eng.Close() // removes the spilled runs if Finish is never reached
//	shard := eng.NewShard()
//	r, err := logparse.Open("access.log.2.gz")
//	if err != nil {
//		return err
//	}
//	defer r.Close()
//	r.ReuseRecord = true // Observe copies what it keeps
//	for rec, err := range r.All() {
//		if err != nil {
//			continue // a *logparse.ParseError: one bad line, counted in r.Stats()
//		}
//		shard.Observe(rec)
//	}
//	if err := r.Err(); err != nil {
//		return err // the input ended early: records are missing
//	}
//	rep, err := eng.Finish(sink, shard) // sink implements Sink
//	if err != nil {
//		return err
//	}
//	fmt.Println(rep.Summary.PersonsNotify, "persons to notify")
//
// Engine.Collect is Finish into memory (a Result), for tests and small
// inputs.
//
// # The index
//
// An Index holds the recordings of the leaked server: path, call, start,
// duration, size, region, caller's phone and subjects (personal identity
// numbers with a role). LoadIndex reads CSV and JSON Lines, and formats
// registered with RegisterIndexFormat (internal/parquetindex registers
// Parquet); IndexOptions.Columns maps other column names; an IndexBuilder
// builds one from any source. Every row is used or reported: Errors lists
// rows left out or kept in part, by row number and column, never by value;
// Stats counts them. Index paths are matched against request paths after
// a PathMapper (prefix and case), as the server saw them.
//
// # The engine
//
// The Engine applies the rules of the README ("The rules, and the
// decisions behind them"): a request delivers audio only if its method is
// GET or POST, its status 200 or 206 and its body bytes above zero; ranges
// are joined per actor; a directory listing exposes the names (and so the
// phone numbers) of the recordings that existed when it was served; a
// recording that was online while no log was kept is Undeterminable, never
// None. Levels order Full > Partial > Metadata > Undeterminable > None.
//
// # Lifetime and concurrency
//
//   - An Index is immutable once built and safe for concurrent use: share
//     one between engines and goroutines.
//   - An Engine is made by NewEngine for one analysis. NewShard may be
//     called from any goroutine; each Shard belongs to one goroutine at a
//     time (Observe is not safe for concurrent use), and different shards
//     of one engine observe concurrently without locks. A record passed
//     to Observe may be reused by the caller after the call.
//   - Finish (or Collect) is called once, after every shard is done; it
//     calls the Sink's methods from one goroutine, and a row passed to the
//     Sink is valid only during the call (the engine reuses it): copy what
//     you keep, slices included.
//   - Shards spill sorted runs of requests to Options.TempDir when they
//     exceed Options.ShardMemory (recording and actor numbers, times, line
//     numbers: no personal data). Finish removes them, also on error;
//     call Engine.Close when an analysis is abandoned before Finish.
//   - The adapters (GeoLookup, UserAgentParser, ActorDirectory) are
//     called during Finish, and must be safe for concurrent use.
//
// Memory grows with the index, the recordings touched and the actors,
// not with the number of log lines (see Engine).
//
// # Adapters
//
// The package knows no GeoIP library, user-agent database, actor file or
// output format: it sees them through interfaces, and the implementations
// live at the edge (internal/geoip, internal/useragent, internal/actors,
// internal/parquetout in this module):
//
//   - GeoLookup: country, city and network of an address; a lookup that
//     fails is counted in Stats.GeoLookupErrors;
//   - UserAgentParser: the class and name of a user agent;
//   - ActorDirectory: labels and categories of known actors, by address
//     and user agent (categories in Options.TrustedCategories are kept in
//     the evidence but expose no one);
//   - Sink: receives the rows;
//   - IndexFormat: reads another index format into an IndexBuilder.
//
// # Personal data
//
// Identity and phone numbers are typed wherever the package hands them
// out: Identity in the index, IdentityNumber and Phone in the rows. Their
// String, Format (every fmt verb), LogValue and MarshalText mask them; the
// value is returned by Reveal only, to be called by the writer of an
// output made for personal data. Errors carry row numbers and column
// names, never values. Run files hold no personal data.
//
// # Errors
//
// LoadIndex fails only for an index that cannot be read at all (missing
// required columns: an *IndexColumnsError naming the columns found); a
// bad row is an *IndexError in Index.Errors, with its kind (ErrIndexNoPath,
// ErrIndexSubjects, ...) to test with errors.Is. Finish returns the
// Sink's first error, or an I/O error of the run files.
package exposure
