package useragent_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/forensiclog/forensics/internal/testutil"
	"github.com/forensiclog/forensics/internal/useragent"
	"github.com/forensiclog/forensics/pkg/exposure"
	"github.com/google/go-cmp/cmp"
)

var corpus, _ = testutil.CorpusDir() // the real-world corpus; "" when absent

// realWorld are user agents taken from the shared corpus of real logs;
// file is where each one occurs (as a quoted field).
var realWorld = []struct {
	file string
	ua   string
	want exposure.UserAgent
}{
	{"apache_combined/elastic-examples-apache_logs.log",
		"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.107 Safari/537.36",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "Chrome", Version: "32.0.1700"}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"Mozilla/5.0 (iPad; CPU OS 7_0_4 like Mac OS X) AppleWebKit/537.51.1 (KHTML, like Gecko) Version/7.0 Mobile/11B554a Safari/9537.53",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "Mobile Safari", Version: "7.0"}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0)",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "IE", Version: "9.0"}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"Lynx/2.8.7rel.2 libwww-FM/2.14 SSL-MM/1.4.1 OpenSSL/1.0.1f",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "Lynx", Version: "2.8.7"}},
	{"nginx_combined/lnav-logfile_shop_access_log.0-zanbil.log",
		"Mozilla/5.0 (Linux; Android 8.0.0; SAMSUNG SM-G950F Build/R16NW) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/8.2 Chrome/63.0.3239.111 Mobile Safari/537.36",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "Samsung Internet", Version: "8.2"}},
	{"nginx_combined/lnav-logfile_shop_access_log.0-zanbil.log",
		"Mozilla/5.0 (Android 8.0.0; Mobile; rv:62.0) Gecko/62.0 Firefox/62.0",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "Firefox Mobile", Version: "62.0"}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 6_0 like Mac OS X) AppleWebKit/536.26 (KHTML, like Gecko) Version/6.0 Mobile/10A5376e Safari/8536.25 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		exposure.UserAgent{Class: exposure.UACrawler, Name: "Googlebot", Version: "2.1"}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"Mozilla/5.0 (compatible; archive.org_bot +http://www.archive.org/details/archive.org_bot)",
		exposure.UserAgent{Class: exposure.UACrawler, Name: "archive.org_bot"}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
		exposure.UserAgent{Class: exposure.UACrawler, Name: "Baiduspider", Version: "2.0"}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"Mozilla/5.0 (compatible; Ezooms/1.0; help@moz.com)",
		exposure.UserAgent{Class: exposure.UACrawler, Name: "Ezooms", Version: "1.0"}},
	{"apache_combined/caltechlibrary-logagent-testdata-access.log",
		"Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
		exposure.UserAgent{Class: exposure.UACrawler, Name: "Bytespider"}},
	{"nginx_combined/lnav-logfile_shop_access_log.0-zanbil.log",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/600.2.5 (KHTML, like Gecko) Version/8.0.2 Safari/600.2.5 (Applebot/0.1; +http://www.apple.com/go/applebot)",
		exposure.UserAgent{Class: exposure.UACrawler, Name: "Applebot", Version: "0.1"}},
	{"nginx_combined/elastic-examples-nginx_logs-partial-copy.log",
		"Wget/1.13.4 (linux-gnu)",
		exposure.UserAgent{Class: exposure.UATool, Name: "Wget", Version: "1.13.4"}},
	{"nginx_custom/crowdsec-hub-nginx-proxy-manager-logs.log",
		"curl/7.68.0",
		exposure.UserAgent{Class: exposure.UATool, Name: "curl", Version: "7.68.0"}},
	{"nginx_combined/elastic-examples-nginx_logs-partial-copy.log",
		"python-requests/2.0.0 CPython/2.6.6 Linux/2.6.32-358.18.1.el6.x86_64",
		exposure.UserAgent{Class: exposure.UATool, Name: "Python Requests", Version: "2.0"}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"LWP::Simple/5.827 libwww-perl/5.833",
		exposure.UserAgent{Class: exposure.UATool, Name: "libwww-perl", Version: "5.833"}},
	{"nginx_combined/elastic-examples-nginx_logs-partial-copy.log",
		"Java/1.8.0_25",
		exposure.UserAgent{Class: exposure.UATool, Name: "Java", Version: "8.0.25"}},
	{"nginx_combined/crowdsec-hub-nginx_http-logs.log",
		"Go-http-client/1.1",
		exposure.UserAgent{Class: exposure.UATool, Name: "Go-http-client", Version: "1.1"}},
	{"apache_combined/crowdsec-hub-apache2-logs.log",
		"masscan/1.0 (https://github.com/robertdavidgraham/masscan)",
		exposure.UserAgent{Class: exposure.UATool, Name: "masscan", Version: "1.0"}},
	{"aws_alb/crowdsec-hub-aws-alb-http-bad-user-agent.log",
		"Mozilla/5.00 (Nikto/2.1.5) (Evasions:None) (Test:map_codes)",
		exposure.UserAgent{Class: exposure.UATool, Name: "Nikto", Version: "2.1.5"}},
	{"traefik/crowdsec-hub-traefik_clf.log",
		"Nikto",
		exposure.UserAgent{Class: exposure.UATool, Name: "Nikto"}},
	{"nginx_combined/elastic-examples-nginx_logs-partial-copy.log",
		"Debian APT-HTTP/1.3 (0.9.7.9)",
		exposure.UserAgent{Class: exposure.UATool, Name: "Debian APT-HTTP", Version: "1.3"}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/",
		exposure.UserAgent{Class: exposure.UAUnknown}},
	{"apache_combined/elastic-examples-apache_logs.log",
		"-",
		exposure.UserAgent{Class: exposure.UAUnknown}},
}

func TestRealWorld(t *testing.T) {
	testutil.Corpus(t) // skips (fails under CI) when the corpus is absent
	p := useragent.New(0)
	files := map[string][]byte{}
	for i, tc := range realWorld {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			data, ok := files[tc.file]
			if !ok {
				var err error
				if data, err = os.ReadFile(filepath.Join(corpus, tc.file)); err != nil {
					t.Fatal(err)
				}
				files[tc.file] = data
			}
			if !bytes.Contains(data, []byte(`"`+tc.ua+`"`)) {
				t.Errorf("user agent %d does not occur in %s", i, tc.file)
			}
			got := p.ParseUserAgent(tc.ua)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseUserAgent(%q) (-want +got):\n%s", tc.ua, diff)
			}
		})
	}
}

func TestClasses(t *testing.T) {
	p := useragent.New(0)
	f := func(ua string, want exposure.UserAgent) {
		t.Helper()
		if diff := cmp.Diff(want, p.ParseUserAgent(ua)); diff != "" {
			t.Errorf("ParseUserAgent(%q) (-want +got):\n%s", ua, diff)
		}
	}
	unknown := exposure.UserAgent{Class: exposure.UAUnknown}
	f("", unknown)
	f("-", unknown)
	f("  -  ", unknown)
	f("Mozilla/5.0", unknown)
	f("x", unknown)

	// Media players count as browsers: someone probably listened.
	f("VLC/3.0.18 LibVLC/3.0.18", exposure.UserAgent{Class: exposure.UABrowser, Name: "VLC", Version: "3.0.18"})
	f("Lavf/58.76.100", exposure.UserAgent{Class: exposure.UABrowser, Name: "Lavf", Version: "58.76.100"})
	f("AppleCoreMedia/1.0.0.20E247 (iPhone; U; CPU OS 16_4 like Mac OS X; sv_se)",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "AppleCoreMedia", Version: "1.0.0.20E247"})
	f("iTunes/12.12.4 (Windows; Microsoft Windows 10 x64; x64) AppleWebKit/7613.2007.1014.14 (dt:2)",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "iTunes", Version: "12.12.4"})
	f("NSPlayer/12.00.19041.1023 WMFSDK/12.00.19041.1023",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "Windows Media Player", Version: "12.00.19041.1023"})
	f("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "Firefox", Version: "115.0"})
	// A phone brand with "bot" in its name is not a crawler.
	f("Mozilla/5.0 (Linux; Android 10; Cubot X20 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.99 Mobile Safari/537.36",
		exposure.UserAgent{Class: exposure.UABrowser, Name: "Chrome Mobile", Version: "80.0.3987"})

	// Tools and scanners.
	f("okhttp/4.9.0", exposure.UserAgent{Class: exposure.UATool, Name: "okhttp", Version: "4.9.0"})
	f("aria2/1.36.0", exposure.UserAgent{Class: exposure.UATool, Name: "aria2", Version: "1.36.0"})
	f("Mozilla/5.0 zgrab/0.x", exposure.UserAgent{Class: exposure.UATool, Name: "zgrab", Version: "0.x"})
	f("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
		exposure.UserAgent{Class: exposure.UATool, Name: "Nmap"})
	f("sqlmap/1.5#stable (http://sqlmap.org)", exposure.UserAgent{Class: exposure.UATool, Name: "sqlmap", Version: "1.5"})
	f("Python-urllib/2.7", exposure.UserAgent{Class: exposure.UATool, Name: "Python-urllib", Version: "2.7"})

	// Crawlers, named or not.
	f("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		exposure.UserAgent{Class: exposure.UACrawler, Name: "Googlebot", Version: "2.1"})
	f("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
		exposure.UserAgent{Class: exposure.UACrawler, Name: "YandexBot", Version: "3.0"})
	f("ExampleBot/1.0 (+https://example.com/bot)", exposure.UserAgent{Class: exposure.UACrawler, Name: "ExampleBot", Version: "1.0"})
}

func TestCacheBound(t *testing.T) {
	p := useragent.New(3)
	for i := range 10 {
		ua := fmt.Sprintf("curl/7.%d.0", i)
		want := exposure.UserAgent{Class: exposure.UATool, Name: "curl", Version: fmt.Sprintf("7.%d.0", i)}
		for range 2 {
			if diff := cmp.Diff(want, p.ParseUserAgent(ua)); diff != "" {
				t.Fatalf("ParseUserAgent(%q) (-want +got):\n%s", ua, diff)
			}
		}
	}
	if n := p.CacheLen(); n != 3 {
		t.Errorf("CacheLen = %d, want 3", n)
	}
	if n := useragent.New(-1); n.ParseUserAgent("curl/1.0").Class != exposure.UATool || n.CacheLen() != 0 {
		t.Errorf("New(-1) cached %d strings", n.CacheLen())
	}
}

func TestConcurrent(t *testing.T) {
	p := useragent.New(0)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				tc := realWorld[(i*7+j)%len(realWorld)]
				if got := p.ParseUserAgent(tc.ua); got != tc.want {
					t.Errorf("ParseUserAgent(%q) = %+v, want %+v", tc.ua, got, tc.want)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := p.CacheLen(); n != len(realWorld) {
		t.Errorf("CacheLen = %d, want %d", n, len(realWorld))
	}
}

func TestCachedAllocs(t *testing.T) {
	p := useragent.New(0)
	ua := realWorld[0].ua
	p.ParseUserAgent(ua)
	if n := testing.AllocsPerRun(100, func() { p.ParseUserAgent(ua) }); n != 0 {
		t.Errorf("cached ParseUserAgent allocates %v times", n)
	}
}

func BenchmarkParseCached(b *testing.B) {
	p := useragent.New(0)
	uas := make([]string, len(realWorld))
	for i, tc := range realWorld {
		uas[i] = tc.ua
		p.ParseUserAgent(tc.ua)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.ParseUserAgent(uas[i%len(uas)])
		i++
	}
}

func BenchmarkParseUncached(b *testing.B) {
	p := useragent.New(-1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.ParseUserAgent(realWorld[i%len(realWorld)].ua)
		i++
	}
}

// BenchmarkLibraryUncached is ua-parser's own user-agent and device
// parse of the same strings, for comparison with BenchmarkParseUncached.
// A counter in each string defeats ua-parser's cache.
func BenchmarkLibraryUncached(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		useragent.LibraryForTest(realWorld[i%len(realWorld)].ua + " " + strconv.Itoa(i))
		i++
	}
}

func ExampleParser() {
	p := useragent.New(0)
	for _, ua := range []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"curl/7.68.0",
		"VLC/3.0.18 LibVLC/3.0.18",
		"-",
	} {
		u := p.ParseUserAgent(ua)
		fmt.Printf("%s %q %q\n", u.Class, u.Name, u.Version)
	}
	// Output:
	// browser "Firefox" "115.0"
	// crawler "Googlebot" "2.1"
	// tool "curl" "7.68.0"
	// browser "VLC" "3.0.18"
	// unknown "" ""
}

// TestPrefilterAgrees checks that the prefiltered rules give ua-parser's
// own answers (family, version, device family) for every distinct user
// agent in the corpus's combined-format logs and in the tables here.
func TestPrefilterAgrees(t *testing.T) {
	uas := []string{
		"Mozilla/5.0 (Linux; Android 10; Cubot X20 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.99 Mobile Safari/537.36",
		"SAMSUNG-SGH-E250/1.0 Profile/MIDP-2.0 Configuration/CLDC-1.1 UP.Browser/6.2.3.3.c.1.101 (GUI) MMP/2.0 (compatible; Googlebot-Mobile/2.1; +http://www.google.com/bot.html)",
		"ExampleBot/1.0 (+https://example.com/bot)",
		"GOOGLEBOT/2.1", "googlebot/2.1", "\u212a\u017f-bot", "Mozilla/5.0 \xff\xfe (compatible; Foo)", "",
	}
	for _, tc := range realWorld {
		uas = append(uas, tc.ua)
	}
	uas = append(uas, corpusAgents(t)...)
	if testing.Short() && len(uas) > 100 {
		uas = uas[:100]
	}
	spiders := 0
	for _, ua := range uas {
		got, want := useragent.FilteredForTest(ua), useragent.LibraryForTest(ua)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("prefiltered parse of %q differs from ua-parser (-want +got):\n%s", ua, diff)
		}
		if want.Spider {
			spiders++
		}
		if miss := useragent.TokenFilterMisses(ua); len(miss) > 0 {
			t.Errorf("the prefilter passes over %v in %q, which match", miss, ua)
		}
	}
	t.Logf("%d user agents compared, %d of them spiders to ua-parser", len(uas), spiders)
	if spiders == 0 {
		t.Error("no spider among the user agents compared: the spider shortcut is not tested")
	}
}

// corpusAgents returns the distinct user agents of the corpus's
// combined-format logs, in a stable order.
func corpusAgents(t *testing.T) []string {
	var files []string
	for _, dir := range []string{"apache_combined", "nginx_combined"} {
		m, _ := filepath.Glob(filepath.Join(corpus, dir, "*.log"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Logf("real-world corpus not available at %s: comparing the built-in tables only", corpus)
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for line := range bytes.Lines(data) {
			// combined: ... "request" status bytes "referer" "user agent"
			parts := bytes.Split(line, []byte{'"'})
			if len(parts) < 7 {
				continue
			}
			ua := string(parts[5])
			if !seen[ua] {
				seen[ua] = true
				out = append(out, ua)
			}
		}
	}
	return out
}

// TestTokenPrefilter checks the prefilters of our own tokens (tools,
// crawlers, players): each knows literals to look for, and none passes
// over a string its expression matches, for each token's name written
// as it is, in upper and lower case, with the letters that fold to
// ASCII ones (U+017F for s, U+212A for k), alone and inside a typical
// string.
func TestTokenPrefilter(t *testing.T) {
	all, unfiltered := useragent.TokenNames()
	if len(unfiltered) > 0 {
		t.Errorf("tokens without literals to prefilter on: %v", unfiltered)
	}
	matched := 0
	p := useragent.New(-1)
	for _, name := range all {
		for _, v := range []string{name, strings.ToUpper(name), strings.ToLower(name),
			strings.NewReplacer("s", "\u017f", "k", "\u212a", "K", "\u212a").Replace(strings.ToLower(name))} {
			for _, ua := range []string{v, v + "/1.2.3", "Mozilla/5.0 (compatible; " + v + "/2.0; +https://example.com)", "x " + v, "lib" + v} {
				if miss := useragent.TokenFilterMisses(ua); len(miss) > 0 {
					t.Errorf("the prefilter passes over %v in %q, which match", miss, ua)
				}
				if p.ParseUserAgent(ua).Name != "" {
					matched++
				}
			}
		}
	}
	if matched == 0 {
		t.Error("no generated string was named: the test generates nothing that matches")
	}
}

// BenchmarkParseDistinct parses strings the cache has not seen: the cost
// that matters at scale, where tens of thousands of distinct agents are
// each parsed once.
func BenchmarkParseDistinct(b *testing.B) {
	uas := corpusAgents(&testing.T{})
	for _, tc := range realWorld {
		uas = append(uas, tc.ua)
	}
	p := useragent.New(-1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.ParseUserAgent(uas[i%len(uas)])
	}
}
