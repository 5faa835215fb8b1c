package main

import (
	"errors"

	"github.com/forensiclog/forensics/internal/actors"
	"github.com/forensiclog/forensics/internal/dataset"
	"github.com/forensiclog/forensics/internal/geoip"
	"github.com/forensiclog/forensics/internal/useragent"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/forensiclog/forensics/pkg/logparse"
)

// datasetFlags are parse's flags for --dataset: how requests are read into
// the dataset's engine columns, as "analyze" would read them.
type datasetFlags struct {
	Dataset      string   `placeholder:"DIR" type:"path" help:"Write the requests as a hive-partitioned Parquet dataset under DIR/requests/source=.../date=YYYY-MM-DD/, with the engine's path key, listing, actor and delivery columns, for the SQL of 'forensics sql'. Files of other inputs already in DIR are kept."`
	StripPrefix  string   `placeholder:"PREFIX" help:"With --dataset: server URL path prefix to remove before the path key (as analyze)."`
	AddPrefix    string   `placeholder:"PREFIX" help:"With --dataset: prefix to add to request paths after stripping (as analyze)."`
	FoldCase     bool     `help:"With --dataset: fold the case of path keys (as analyze)."`
	TrustedProxy []string `placeholder:"CIDR" help:"With --dataset: proxy whose X-Forwarded-For is trusted (repeatable), for the actor column (as analyze)."`
	Actors       string   `type:"existingfile" placeholder:"FILE" help:"With --dataset: known actors (YAML or CSV) for the actor_label and actor_category columns (as analyze)."`
	HeaderBytes  int64    `default:"150" help:"With --dataset: bytes subtracted from wire byte counts for response headers (as analyze)."`
	GeoIPCity    string   `name:"geoip-city" type:"existingfile" placeholder:"DB" help:"With --dataset: GeoIP City database (.mmdb) for the country and city columns (as analyze)."`
	GeoIPASN     string   `name:"geoip-asn" type:"existingfile" placeholder:"DB" help:"With --dataset: GeoIP ASN database (.mmdb) for the asn and as_org columns (as analyze)."`
}

func (f *datasetFlags) validate(out string) error {
	if f.Dataset != "" && out != "" {
		return errors.New("--dataset and --out: give one")
	}
	if f.Dataset == "" && (f.StripPrefix != "" || f.AddPrefix != "" || f.FoldCase || len(f.TrustedProxy) > 0 || f.Actors != "" ||
		f.GeoIPCity != "" || f.GeoIPASN != "") {
		return errors.New("--strip-prefix, --add-prefix, --fold-case, --trusted-proxy, --actors, --geoip-city and --geoip-asn apply to --dataset only")
	}
	_, err := exposure.ParsePrefixes(f.TrustedProxy)
	return err
}

// datasetSink writes the records into a dataset.
type datasetSink struct {
	w   *dataset.Writer
	geo *geoip.DB // nil without --geoip-city and --geoip-asn
}

// sink opens the dataset; server is the listing server the format tells
// (as analyze tells the engine).
func (f *datasetFlags) sink(inputs []logparse.Input, server exposure.ListingServer) (*datasetSink, error) {
	opt := dataset.Options{
		PathMapper:    exposure.PathMapper{StripPrefix: f.StripPrefix, AddPrefix: f.AddPrefix, FoldCase: f.FoldCase},
		HeaderBytes:   f.HeaderBytes,
		ListingServer: server,
		UserAgents:    useragent.New(1 << 16), // as analyze
	}
	var err error
	if opt.Proxies.Trusted, err = exposure.ParsePrefixes(f.TrustedProxy); err != nil {
		return nil, err
	}
	if f.Actors != "" {
		dir, err := actors.Load(f.Actors)
		if err != nil {
			return nil, err
		}
		opt.Actors = dir
	}
	var geo *geoip.DB
	if f.GeoIPCity != "" || f.GeoIPASN != "" {
		if geo, err = geoip.Open(f.GeoIPCity, f.GeoIPASN); err != nil {
			return nil, err
		}
		opt.Geo = geo
	}
	w, err := dataset.Create(f.Dataset, inputs, opt)
	if err != nil {
		if geo != nil {
			geo.Close()
		}
		return nil, err
	}
	return &datasetSink{w: w, geo: geo}, nil
}

func (s *datasetSink) write(rec *logparse.Record) error { return s.w.Write(rec) }
func (s *datasetSink) close() error {
	_, err := s.w.Close()
	s.abort()
	return err
}
func (s *datasetSink) abort() {
	if s.geo != nil {
		s.geo.Close()
		s.geo = nil
	}
}
