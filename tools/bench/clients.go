package bench

import (
	"strconv"
)

// Kinds of client, by what they do on an open file server.
const (
	kindMonitor    = iota // the operator's availability check
	kindBrowser           // people: listings, playback, downloads
	kindCrawler           // search engines: listings, HEAD, full GETs
	kindScanner           // probes and folder listings, curl/python/zgrab
	kindDownloader        // wget -r and scripts: a listing, then every file
	nKinds
)

type client struct {
	id   int
	kind int
	ip   string
	ua   string
	v6   bool
}

// clients builds the client population: the monitor at 192.0.2.12, the
// other IPv4 documentation addresses for the busiest clients (mostly bots),
// and 2001:db8::/32 for the long tail (mostly browsers).
func (g *gen) clients() {
	n := g.cfg.Clients
	var v4 []string
	for _, net := range []string{"192.0.2.", "198.51.100.", "203.0.113."} {
		for h := 1; h <= 254; h++ {
			if net == "192.0.2." && h == 12 {
				continue
			}
			v4 = append(v4, net+strconv.Itoa(h))
		}
	}
	nV4 := min(len(v4), n/4)
	g.all = make([]client, n)
	g.byKind = [nKinds][]int{}
	seen := map[string]bool{}
	for id := range n {
		r := newRNG(g.cfg.Seed, streamClient, uint64(id))
		c := client{id: id}
		x := r.intn(1000)
		switch {
		case id == 0:
			c.kind, c.ip, c.ua = kindMonitor, "192.0.2.12", "check_http/v2.2 (monitoring-plugins 2.2)"
		case id <= nV4:
			c.ip = v4[(id-1+int(g.cfg.Seed%uint64(len(v4))))%len(v4)]
			c.kind = pickKind(x, 300, 400, 100)
		default:
			c.v6 = true
			for c.ip == "" || seen[c.ip] {
				b := []byte("2001:db8:")
				b = strconv.AppendUint(b, uint64(1+r.intn(0xfffe)), 16)
				b = append(b, ':')
				b = strconv.AppendUint(b, uint64(1+r.intn(0xfffe)), 16)
				b = append(b, "::"...)
				b = strconv.AppendUint(b, uint64(1+r.intn(0xfffe)), 16)
				c.ip = string(b)
			}
			c.kind = pickKind(x, 20, 60, 6)
		}
		seen[c.ip] = true
		if c.ua == "" {
			c.ua = userAgent(&r, c.kind, float64(id)/float64(n))
		}
		g.all[id] = c
		g.byKind[c.kind] = append(g.byKind[c.kind], id)
	}
	// Every kind needs someone, even in the tiniest preset.
	for k := kindBrowser; k < nKinds; k++ {
		if len(g.byKind[k]) == 0 {
			id := n - k
			g.all[id].kind = k
			r := newRNG(g.cfg.Seed, streamClient, uint64(id))
			g.all[id].ua = userAgent(&r, k, 0.5)
			// It stays listed under its old kind too: what a line does
			// comes from the episode, not from the client's kind.
			g.byKind[k] = append(g.byKind[k], id)
		}
	}
}

func pickKind(x, crawler, scanner, downloader int) int {
	switch {
	case x < crawler:
		return kindCrawler
	case x < crawler+scanner:
		return kindScanner
	case x < crawler+scanner+downloader:
		return kindDownloader
	}
	return kindBrowser
}

var (
	crawlerUAs = []string{
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
		"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
		"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
		"Mozilla/5.0 (compatible; AhrefsBot/%v; +http://ahrefs.com/robot/)",
		"Mozilla/5.0 (compatible; SemrushBot/%v; +http://www.semrush.com/bot.html)",
		"Mozilla/5.0 (compatible; MJ12bot/v1.4.%v; http://mj12bot.com/)",
		"Mozilla/5.0 (compatible; DotBot/1.%v; https://opensiteexplorer.org/dotbot, help@moz.com)",
		"Mozilla/5.0 (compatible; SeznamBot/3.2; +http://napoveda.seznam.cz/en/seznambot-intro/)",
		"Mozilla/5.0 (compatible; archive.org_bot +http://www.archive.org/details/archive.org_bot)",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/600.2.5 (KHTML, like Gecko) Version/8.0.2 Safari/600.2.5 (Applebot/0.1; +http://www.apple.com/go/applebot)",
		"Mozilla/5.0 (compatible;PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
	}
	scannerUAs = []string{
		"curl/7.%v.%v", "Wget/1.%v.%v (linux-gnu)", "python-requests/2.%v.%v", "Python-urllib/3.%v",
		"Go-http-client/1.1", "zgrab/0.%v", "Mozilla/5.0 zgrab/0.%v", "masscan/1.%v (https://github.com/robertdavidgraham/masscan)",
		"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", "libwww-perl/6.%v",
		"Mozilla/5.0 (compatible; CensysInspect/1.%v; +https://about.censys.io/)", "-",
	}
	downloaderUAs = []string{
		"Wget/1.%v.%v (linux-gnu)", "Wget/1.%v (linux-gnu)", "python-requests/2.%v.%v", "curl/7.%v.%v",
		"Mozilla/4.5 (compatible; HTTrack 3.0x; Windows 98)", "aria2/1.%v.%v", "Java/1.8.0_%v", "okhttp/3.%v.%v",
	}
	windows = []string{"Windows NT 6.1; Win64; x64", "Windows NT 6.1; WOW64", "Windows NT 6.3; Win64; x64", "Windows NT 10.0; Win64; x64", "Windows NT 10.0; WOW64", "Windows NT 6.1"}
	phones  = []string{"SM-G930F", "SM-G950F", "SM-A520F", "SM-J510FN", "SM-G960F", "SM-A750FN", "Nexus 5", "Pixel 2", "ONEPLUS A5000", "LG-H870", "Moto G (5)", "HUAWEI VNS-L31", "E5823", "G8341", "H3113", "SM-N950F"}
)

// fill replaces each %v in f by a number below 100 (versions).
func fill(r *rng, f string) string {
	var b []byte
	for i := 0; i < len(f); i++ {
		if f[i] == '%' && i+1 < len(f) && f[i+1] == 'v' {
			b = strconv.AppendInt(b, int64(r.intn(60)), 10)
			i++
			continue
		}
		b = append(b, f[i])
	}
	return string(b)
}

// userAgent returns a client's user agent; browsers get versions of the
// time they are active (pos is their place in the six years), which gives
// tens of thousands of distinct strings, as real logs have.
func userAgent(r *rng, kind int, pos float64) string {
	switch kind {
	case kindCrawler:
		return fill(r, crawlerUAs[min(r.intn(len(crawlerUAs)), r.intn(len(crawlerUAs)))])
	case kindScanner:
		return fill(r, scannerUAs[r.intn(len(scannerUAs))])
	case kindDownloader:
		return fill(r, downloaderUAs[r.intn(len(downloaderUAs))])
	}
	year := int(pos * 6) // 0..5: 2013..2018
	itoa := strconv.Itoa
	chrome := itoa(25+year*8+r.intn(8)) + ".0." + itoa(1300+year*500+r.intn(500)) + "." + itoa(r.intn(200))
	switch x := r.intn(100); {
	case x < 40:
		os := windows[r.intn(len(windows))]
		if r.per(250) {
			os = "Macintosh; Intel Mac OS X 10_" + itoa(8+year) + "_" + itoa(r.intn(6))
		}
		return "Mozilla/5.0 (" + os + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Safari/537.36"
	case x < 58:
		v := itoa(20 + year*9 + r.intn(9))
		os := windows[r.intn(len(windows))]
		switch r.intn(4) {
		case 0:
			os = "X11; Ubuntu; Linux x86_64"
		case 1:
			os = "Macintosh; Intel Mac OS X 10." + itoa(8+year)
		}
		return "Mozilla/5.0 (" + os + "; rv:" + v + ".0) Gecko/20100101 Firefox/" + v + ".0"
	case x < 78:
		ios := itoa(6+year) + "_" + itoa(r.intn(4)) + "_" + itoa(r.intn(3))
		build := itoa(10+year) + string(rune('A'+r.intn(8))) + itoa(100+r.intn(400))
		dev := "iPhone; CPU iPhone OS "
		if r.per(200) {
			dev = "iPad; CPU OS "
		}
		return "Mozilla/5.0 (" + dev + ios + " like Mac OS X) AppleWebKit/60" + itoa(r.intn(6)) + ".1.15 (KHTML, like Gecko) Version/" + itoa(6+year) + ".0 Mobile/" + build + " Safari/604.1"
	case x < 93:
		return "Mozilla/5.0 (Linux; Android " + itoa(4+year/2) + "." + itoa(r.intn(2)) + "." + itoa(r.intn(3)) + "; " + phones[r.intn(len(phones))] +
			" Build/" + string(rune('J'+year)) + string(rune('A'+r.intn(26))) + itoa(10+r.intn(90)) + string(rune('A'+r.intn(26))) +
			") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Mobile Safari/537.36"
	case x < 97:
		return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Safari/537.36 Edge/" + itoa(12+year) + "." + itoa(10000+r.intn(8000))
	default:
		return "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"
	}
}
