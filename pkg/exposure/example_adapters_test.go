package exposure_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// exampleIndex is a two-call index; the identity number is generated
// (fictitious), the phone numbers are in the range kept for fiction.
const exampleIndex = "path,call_id,started_at,duration_s,size_bytes,region,caller_phone,subjects\n" +
	"/rec/2019/02/c1_0701740605.mp3,c1,2019-02-01T10:00:00+01:00,60,1000,Stockholm,070-174 06 05,caller:800101-1231\n" +
	"/rec/2019/02/c2_0701740606.mp3,c2,2019-02-01T11:00:00+01:00,60,1000,Stockholm,,patient:19800101-1231\n"

// exampleLogs: a listing by a crawler, a download, and a range request
// from a second client.
const exampleLogs = `198.51.100.7 - - [02/Feb/2019:10:00:00 +0100] "GET /rec/2019/02/ HTTP/1.1" 200 900 "-" "Googlebot/2.1"
203.0.113.9 - - [02/Feb/2019:10:00:05 +0100] "GET /rec/2019/02/c1_0701740605.mp3 HTTP/1.1" 200 1000 "-" "curl/7.64.0"
192.0.2.44 - - [02/Feb/2019:10:01:00 +0100] "GET /rec/2019/02/c2_0701740606.mp3 HTTP/1.1" 206 400 "-" "Mozilla/5.0"
`

func mustIndex() *exposure.Index {
	ix, err := exposure.ReadIndex(strings.NewReader(exampleIndex), exposure.IndexOptions{Format: "csv"})
	if err != nil {
		panic(err)
	}
	return ix
}

// staticGeo is a GeoLookup from a table (a real one reads a GeoIP
// database from the time of the incident: internal/geoip).
type staticGeo map[netip.Addr]exposure.Geo

func (g staticGeo) LookupGeo(a netip.Addr) (exposure.Geo, bool, error) {
	geo, ok := g[a]
	return geo, ok, nil
}

// labels is an ActorDirectory by address only.
type labels map[netip.Addr]exposure.KnownActor

func (l labels) MatchActor(a netip.Addr, _ string) (exposure.KnownActor, bool) {
	k, ok := l[a]
	return k, ok
}

// uaClass is a UserAgentParser that knows two products.
type uaClass struct{}

func (uaClass) ParseUserAgent(ua string) exposure.UserAgent {
	switch {
	case strings.HasPrefix(ua, "Googlebot"):
		return exposure.UserAgent{Class: exposure.UACrawler, Name: "Googlebot"}
	case strings.HasPrefix(ua, "curl"):
		return exposure.UserAgent{Class: exposure.UATool, Name: "curl"}
	}
	return exposure.UserAgent{Class: exposure.UAUnknown}
}

// csvSink is a Sink that writes persons as CSV lines and counts the other
// rows. Rows are valid only during the call: it writes at once. (The
// person below has two phones: c2's caller number is in its file name.)
type csvSink struct {
	w    io.Writer
	rows map[string]int
}

func (s *csvSink) Exposure(*exposure.ExposureRow) error   { s.rows["exposures"]++; return nil }
func (s *csvSink) Recording(*exposure.RecordingRow) error { s.rows["recordings"]++; return nil }
func (s *csvSink) Listing(*exposure.ListingRow) error     { s.rows["listings"]++; return nil }
func (s *csvSink) Actor(*exposure.ActorRow) error         { s.rows["actors"]++; return nil }
func (s *csvSink) Person(p *exposure.PersonRow) error {
	// The notification list is an output made for personal data: the
	// one place to Reveal. Printed otherwise, a number stays masked.
	_, err := fmt.Fprintf(s.w, "%s;%s;%s;%d phones\n", p.SubjectID.Reveal(), p.SubjectIDGiven.Reveal(), p.Level, len(p.Phones))
	return err
}

// Two goroutines read two logs, each into its own Shard; Finish decides
// once both are done and hands the rows to a Sink, with actors attributed
// by the three adapters.
func ExampleEngine_Finish() {
	ix := mustIndex()
	eng := exposure.NewEngine(ix, exposure.Options{
		Geo:        staticGeo{netip.MustParseAddr("203.0.113.9"): {Country: "NL", City: "Amsterdam"}},
		Actors:     labels{netip.MustParseAddr("192.0.2.44"): {Label: "platform playback", Category: exposure.CategoryAuthorized}},
		UserAgents: uaClass{},
	})
	defer eng.Close()
	lines := strings.SplitAfter(exampleLogs, "\n")
	logs := []string{lines[0] + lines[1], lines[2]}
	f, err := logparse.ParseFormat("combined")
	if err != nil {
		panic(err)
	}
	var wg sync.WaitGroup
	shards := make([]*exposure.Shard, len(logs))
	errs := make([]error, len(logs))
	for i, log := range logs {
		shards[i] = eng.NewShard() // one per goroutine
		wg.Go(func() {
			r := logparse.NewReader(strings.NewReader(log), f)
			r.Name = fmt.Sprintf("access.log.%d", i)
			for rec, err := range r.All() {
				if err == nil {
					shards[i].Observe(rec)
				}
			}
			errs[i] = r.Err()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			panic(err) // an input failed: the verdicts would be incomplete
		}
	}
	sink := &csvSink{w: os.Stdout, rows: map[string]int{}}
	rep, err := eng.Finish(sink, shards...)
	if err != nil {
		panic(err)
	}
	fmt.Println(sink.rows)
	fmt.Println("persons to notify:", rep.Summary.PersonsNotify, "actors by category:", rep.Summary.ActorsByCategory)
	// Output:
	// 198001011231;800101-1231;full;2 phones
	// map[actors:3 exposures:4 listings:1 recordings:2]
	// persons to notify: 1 actors by category: map[authorized:1 unknown:2]
}

// collect reads exampleLogs into an engine with opt and collects every
// row in memory.
func collect(opt exposure.Options) *exposure.Result {
	eng := exposure.NewEngine(mustIndex(), opt)
	shard := eng.NewShard()
	f, _ := logparse.ParseFormat("combined")
	r := logparse.NewReader(strings.NewReader(exampleLogs), f)
	for rec, err := range r.All() {
		if err == nil {
			shard.Observe(rec)
		}
	}
	res, err := eng.Collect(shard)
	if err != nil {
		panic(err)
	}
	return res
}

// An actor's row carries what the adapters said of it.
func ExampleGeoLookup() {
	res := collect(exposure.Options{
		Geo:        staticGeo{netip.MustParseAddr("203.0.113.9"): {Country: "NL", City: "Amsterdam", ASN: 64502}},
		UserAgents: uaClass{},
	})
	for _, a := range res.Actors {
		fmt.Printf("%s country=%q asn=%d ua=%s/%s\n", a.ActorIP, a.Country, a.ASN, a.UAClass, a.UAName)
	}
	fmt.Println("lookup errors:", res.Summary.Engine.GeoLookupErrors)
	// Output:
	// 192.0.2.44 country="" asn=0 ua=unknown/
	// 198.51.100.7 country="" asn=0 ua=crawler/Googlebot
	// 203.0.113.9 country="NL" asn=64502 ua=tool/curl
	// lookup errors: 0
}

// A known actor in a trusted category (the controller's own playback)
// stays in the evidence, labelled, but exposes no one.
func ExampleActorDirectory() {
	res := collect(exposure.Options{
		Actors: labels{netip.MustParseAddr("192.0.2.44"): {Label: "platform playback", Category: exposure.CategoryAuthorized}},
	})
	for _, e := range res.Exposures {
		if e.ActorIP != "" {
			fmt.Println(e.CallID, e.ActorIP, e.ActorLabel, e.ActorCategory, e.Level)
		}
	}
	for _, rec := range res.Recordings {
		fmt.Println(rec.CallID, rec.Level)
	}
	// Output:
	// c1 203.0.113.9  unknown full
	// c2 192.0.2.44 platform playback authorized partial
	// c1 full
	// c2 metadata
}

// A PathMapper maps the server's URL paths onto the index's paths.
func ExamplePathMapper() {
	m := exposure.PathMapper{StripPrefix: "/rec", AddPrefix: "/volume1/1177/rec", FoldCase: true}
	fmt.Println(exposure.NormalizePath("/rec/2019/02/C1_0701740605.MP3", m))
	fmt.Println(exposure.NormalizePath("/recordings/x.mp3", m)) // not under /rec: unchanged but for case
	// Output:
	// /volume1/1177/rec/2019/02/c1_0701740605.mp3
	// /recordings/x.mp3
}

// An IndexFormat reads a format this package does not know into an
// IndexBuilder: here, lines of "path|subject id".
func ExampleRegisterIndexFormat() {
	exposure.RegisterIndexFormat(exposure.IndexFormat{
		Name: "pipes",
		Exts: []string{".pipes"},
		Read: func(r io.ReaderAt, size int64, b *exposure.IndexBuilder) error {
			data, err := io.ReadAll(io.NewSectionReader(r, 0, size))
			if err != nil {
				return fmt.Errorf("pipes: %w", err)
			}
			if err := b.Header([]string{exposure.ColPath, exposure.ColStartedAt, exposure.ColSize, exposure.ColSubjects}); err != nil {
				return err
			}
			for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				path, id, _ := strings.Cut(line, "|")
				row := &exposure.IndexRow{Row: i + 1, Subjects: []exposure.IndexSubject{{Role: "caller", ID: id}}}
				row.Set(exposure.ColPath, path)
				row.Set(exposure.ColStartedAt, "2019-02-01T10:00:00+01:00")
				row.Set(exposure.ColSize, "1000")
				b.Add(row)
			}
			return nil
		},
	})
	ix, err := exposure.ReadIndex(strings.NewReader("/rec/a.mp3|19800101-1231\n/rec/b.mp3|800101-1231\n"),
		exposure.IndexOptions{Format: "pipes"})
	if err != nil {
		panic(err)
	}
	fmt.Println(ix.Len(), "recordings,", ix.NumPersons(), "person:", ix.Person(0))
	// Output:
	// 2 recordings, 1 person: 19800101-****
}

// Output rows carry identity and phone numbers typed: printed, logged or
// wrapped in an error they are masked; Reveal is the one way to the value.
func ExampleIdentityNumber() {
	row := exposure.PersonRow{
		SubjectID: "198001011231", SubjectIDGiven: "800101-1231",
		Level: "full", Phones: []exposure.Phone{"+46701740605"},
	}
	fmt.Printf("%v %q %v\n", row.SubjectID, row.SubjectIDGiven, row.Phones)
	fmt.Println(fmt.Errorf("person %v: %w", row.SubjectID, io.ErrUnexpectedEOF))
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // a stable output for the example
			}
			return a
		}}))
	log.Info("person", "id", row.SubjectID, "phone", row.Phones[0])
	fmt.Println(row.SubjectID.Reveal(), row.Phones[0].Reveal())
	// Output:
	// 19800101-**** "800101-****" [+*********05]
	// person 19800101-****: unexpected EOF
	// level=INFO msg=person id=19800101-**** phone=+*********05
	// 198001011231 +46701740605
}
