// Package useragent answers exposure.UserAgentParser with the ua-parser
// project's regular expressions (github.com/ua-parser/uap-go, whose
// regexes are compiled into the binary: no files, no network).
//
// # Classes
//
// Each user-agent string gets one class, decided in this order:
//
//   - unknown: an empty string or "-" (nothing was sent or logged).
//   - tool: HTTP libraries and command-line clients (curl, Wget,
//     python-requests, Python-urllib, Go-http-client, libwww-perl, Java,
//     okhttp, aria2, ...) and scanners (Nikto, masscan, zgrab, Nmap,
//     sqlmap, ...). These come first because ua-parser files some of
//     them (Java, masscan) under the "Spider" device.
//   - crawler: ua-parser's device family is "Spider", its family names a
//     bot (Applebot claims a Mac), or the string names a known crawler
//     that ua-parser does not (e.g. Bytespider, Ezooms, FeedBurner).
//   - browser: a browser, or a media player that fetches audio (VLC,
//     Lavf/ffmpeg, AppleCoreMedia, iTunes, Windows Media Player, ...):
//     someone probably listened.
//   - tool: any other program ua-parser names (package managers,
//     feed fetchers, configuration agents).
//   - unknown: everything else.
//
// Name and Version come from ua-parser when it recognises the program,
// otherwise from the matched token (e.g. "Nikto" and "2.1.5").
//
// # Cache and concurrency
//
// A Parser is safe for concurrent use. It keeps the answer for each
// distinct string, up to a bound (DefaultCacheSize); once full, further
// strings are parsed each time but not kept. Parsing an unseen string
// tries ua-parser's rules in order, skipping those whose required
// literals the string lacks (see prefilter.go); a cached answer costs a
// map lookup.
package useragent

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/ua-parser/uap-go/uaparser"
)

// DefaultCacheSize is the number of distinct strings a Parser keeps
// when New is given 0.
const DefaultCacheSize = 100_000

// Parser classifies user-agent strings. It implements
// exposure.UserAgentParser.
type Parser struct {
	uap   *uaparser.Parser
	f     *filtered
	max   int64
	n     atomic.Int64
	cache sync.Map // string -> exposure.UserAgent
}

var _ exposure.UserAgentParser = (*Parser)(nil)

// New returns a Parser that caches up to cacheSize distinct strings
// (DefaultCacheSize when 0; no cache when negative).
func New(cacheSize int) *Parser {
	// Parsing goes through filtered (prefilter.go), not ua-parser's
	// Parse methods and their cache: keep that cache minimal.
	uap, err := uaparser.New(uaparser.WithCacheSize(1))
	if err != nil {
		// The regexes are compiled into uap-go; a failure is a bug there.
		panic("useragent: " + err.Error())
	}
	if cacheSize == 0 {
		cacheSize = DefaultCacheSize
	}
	return &Parser{uap: uap, f: newFiltered(uap), max: int64(max(cacheSize, 0))}
}

// ParseUserAgent classifies ua.
func (p *Parser) ParseUserAgent(ua string) exposure.UserAgent {
	if v, ok := p.cache.Load(ua); ok {
		return v.(exposure.UserAgent)
	}
	r := p.parse(ua)
	// Reserve a slot first, so that the bound holds under concurrency.
	if p.n.Add(1) <= p.max {
		// Clone: ua may alias a reader's buffer.
		if _, loaded := p.cache.LoadOrStore(strings.Clone(ua), r); !loaded {
			return r
		}
	}
	p.n.Add(-1)
	return r
}

// CacheLen returns the number of distinct strings cached.
func (p *Parser) CacheLen() int { return int(p.n.Load()) }

// A token is a program named in user-agent strings that ua-parser does
// not classify the way we need.
type token struct {
	name string
	re   *regexp.Regexp // first submatch, when present, is the version
	f    filter         // the literals a match contains (prefilter.go)
}

func tok(name, expr string) token {
	re := regexp.MustCompile(expr)
	return token{name, re, newFilter(re)}
}

// ver matches a version after a slash.
const ver = `(?:/v?([0-9][0-9A-Za-z._-]*))?`

var tools = []token{
	tok("curl", `(?i)(?:^|[\s(;])curl`+ver),
	tok("libcurl", `(?i)\blibcurl`+ver),
	tok("Wget", `(?i)(?:^|[\s(;])wget`+ver),
	tok("python-requests", `(?i)\bpython-requests`+ver),
	tok("Python-urllib", `(?i)\bpython-urllib`+ver),
	tok("python-httpx", `(?i)\bpython-httpx`+ver),
	tok("aiohttp", `(?i)\baiohttp`+ver),
	tok("Go-http-client", `(?i)\bgo-http-client`+ver),
	tok("libwww-perl", `(?i)\blibwww-perl`+ver),
	tok("LWP", `(?i)\blwp::`),
	tok("Java", `(?i)^java`+ver),
	tok("Apache-HttpClient", `(?i)\bapache-httpclient`+ver),
	tok("okhttp", `(?i)\bokhttp`+ver),
	tok("aria2", `(?i)\baria2`+ver),
	tok("HTTPie", `(?i)\bhttpie`+ver),
	tok("PowerShell", `(?i)\bwindowspowershell`+ver),
	tok("axios", `(?i)^axios`+ver),
	tok("node-fetch", `(?i)^node-fetch`+ver),
	tok("Nikto", `(?i)\bnikto`+ver),
	tok("masscan", `(?i)\bmasscan`+ver),
	tok("zgrab", `(?i)\bzgrab`+ver),
	tok("Nmap", `(?i)\bnmap\b`),
	tok("sqlmap", `(?i)\bsqlmap`+ver),
	tok("Nuclei", `(?i)\bnuclei\b`+ver),
	tok("WPScan", `(?i)\bwpscan\b`+ver),
	tok("ZmEu", `(?i)\bzmeu\b`),
	tok("gobuster", `(?i)\bgobuster`+ver),
	tok("DirBuster", `(?i)\bdirbuster`+ver),
	tok("Nessus", `(?i)\bnessus`),
	tok("OpenVAS", `(?i)\bopenvas`),
}

// crawlers lists crawlers that ua-parser does not file under "Spider".
var crawlers = []token{
	tok("Bytespider", `(?i)\bbytespider\b`),
	tok("Ezooms", `(?i)\bezooms`+ver),
	tok("FeedBurner", `(?i)\bfeedburner`+ver),
	tok("Feedfetcher-Google", `(?i)\bfeedfetcher-google\b`),
	tok("ia_archiver", `(?i)\bia_archiver\b`),
	tok("Heritrix", `(?i)\bheritrix`+ver),
}

// crawlerFamily matches ua-parser families that name a crawler outside
// the "Spider" device (e.g. Applebot, which claims a Mac).
var crawlerFamily = regexp.MustCompile(`(?i)bot\b|bot[-_]|spider|crawl|slurp|archiver`)

// players lists media players and media frameworks.
var players = []token{
	tok("VLC", `(?i)\b(?:lib)?vlc`+ver),
	tok("Lavf", `(?i)\blavf`+ver),
	tok("AppleCoreMedia", `(?i)\bapplecoremedia`+ver),
	tok("iTunes", `(?i)\bitunes`+ver),
	tok("Windows Media Player", `(?i)\b(?:windows-media-player|nsplayer|wmplayer)`+ver),
	tok("QuickTime", `(?i)\bquicktime`+ver),
	tok("stagefright", `(?i)\bstagefright`+ver),
	tok("ExoPlayer", `(?i)\bexoplayer(?:lib)?`+ver),
	tok("GStreamer", `(?i)\bgstreamer`+ver),
	tok("mpv", `(?i)^mpv`+ver),
	tok("Winamp", `(?i)\bwinamp`+ver),
	tok("foobar2000", `(?i)\bfoobar2000`+ver),
	tok("MPlayer", `(?i)\bmplayer`+ver),
}

// browserFamilies are ua-parser families of browsers whose strings need
// not start with "Mozilla/".
var browserFamilies = map[string]bool{
	"Opera": true, "Opera Mini": true, "Opera Mobile": true,
	"Lynx": true, "Links": true, "ELinks": true, "w3m": true,
	"Safari": true, "Mobile Safari": true, "Android": true,
	"NetFront": true, "Dillo": true,
}

// match returns the first token of list in ua, whose fold is folded.
// Tokens whose literals ua lacks are passed over without running their
// expression (a microsecond or more each, for some fifty tokens).
func match(list []token, ua, folded string) (name, version string, ok bool) {
	for i := range list {
		t := &list[i]
		if !t.f.mayMatch(folded) {
			continue
		}
		if m := t.re.FindStringSubmatch(ua); m != nil {
			if len(m) > 1 {
				version = m[1]
			}
			return t.name, version, true
		}
	}
	return "", "", false
}

func (p *Parser) parse(ua string) exposure.UserAgent {
	s := strings.TrimSpace(ua)
	if s == "" || s == "-" {
		return exposure.UserAgent{Class: exposure.UAUnknown}
	}
	folded := fold(s)
	lib := p.f.userAgent(s, folded)
	family := lib.Family
	if family == "Other" {
		family = ""
	}
	libVersion := lib.ToVersionString()

	// named picks the library's name and version when it recognised the
	// same program, ours otherwise.
	named := func(class, name, version string) exposure.UserAgent {
		if family != "" && nameKey(family) == nameKey(name) {
			return exposure.UserAgent{Class: class, Name: family, Version: libVersion}
		}
		return exposure.UserAgent{Class: class, Name: name, Version: version}
	}
	if name, v, ok := match(tools, s, folded); ok {
		return named(exposure.UATool, name, v)
	}
	if p.f.isSpider(s, folded) {
		if family != "" {
			return exposure.UserAgent{Class: exposure.UACrawler, Name: family, Version: libVersion}
		}
		if name, v, ok := match(crawlers, s, folded); ok {
			return exposure.UserAgent{Class: exposure.UACrawler, Name: name, Version: v}
		}
		return exposure.UserAgent{Class: exposure.UACrawler}
	}
	if family != "" && crawlerFamily.MatchString(family) {
		return exposure.UserAgent{Class: exposure.UACrawler, Name: family, Version: libVersion}
	}
	if name, v, ok := match(crawlers, s, folded); ok {
		return named(exposure.UACrawler, name, v)
	}
	if name, v, ok := match(players, s, folded); ok {
		return named(exposure.UABrowser, name, v)
	}
	switch {
	case family == "":
		return exposure.UserAgent{Class: exposure.UAUnknown}
	case browserFamilies[family] || strings.HasPrefix(s, "Mozilla/") || strings.HasPrefix(s, "Opera/"):
		return exposure.UserAgent{Class: exposure.UABrowser, Name: family, Version: libVersion}
	default:
		return exposure.UserAgent{Class: exposure.UATool, Name: family, Version: libVersion}
	}
}

// nameKey reduces a program name to lower-case letters and digits, so that
// "Python Requests" and "python-requests" compare equal.
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
