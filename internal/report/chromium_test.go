package report

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forensiclog/forensics/internal/testutil"
)

// chromium returns the path of a Chromium binary, skipping the test when
// there is none, or failing it in CI (.ci/run installs Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if testutil.InCI() {
		t.Fatal("chromium is not installed (CI is set): apt-get install -y chromium")
	}
	t.Skip("chromium is not installed: apt-get install -y chromium to render the report in a browser")
	return ""
}

// runChromium runs headless Chromium on the page with extra arguments and
// returns its standard output. No network: the page must need none.
func runChromium(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// writeDemoReport renders the demo's report into a temporary directory
// and returns the page's path and the directory.
func writeDemoReport(t *testing.T) (string, string) {
	t.Helper()
	dir := renderDemo(t, Options{})
	return filepath.Join(dir, "report.html"), dir
}

// noNetwork starts a proxy that records the requests sent to it: with
// Chromium told to send every request to it, a page that loads anything
// from the network shows up. Chromium's own service traffic (time, sign-in
// and update checks to Google hosts, which headless Chromium makes whatever
// the page) is told apart by its host.
func noNetwork(t *testing.T) (proxyArg string, pageRequests func() []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var page []string
	var browser int
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 512)
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			k, _ := c.Read(buf)
			line, _, _ := strings.Cut(string(buf[:k]), "\r\n")
			mu.Lock()
			if browserService(line) {
				browser++
			} else {
				page = append(page, line)
			}
			mu.Unlock()
			c.Close()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		t.Logf("proxy: %d requests of Chromium's own services ignored", browser)
		mu.Unlock()
	})
	return "--proxy-server=http://" + ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(page)
	}
}

// browserService reports whether a proxied request line ("CONNECT host:443
// HTTP/1.1" or "GET http://host/... HTTP/1.1") goes to a host of
// Chromium's own services.
func browserService(line string) bool {
	f := strings.Fields(line)
	if len(f) < 2 {
		return false
	}
	host := strings.TrimPrefix(strings.TrimPrefix(f[1], "http://"), "https://")
	host, _, _ = strings.Cut(host, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, suffix := range []string{".google.com", ".googleapis.com", ".gstatic.com", ".gvt1.com"} {
		if strings.HasSuffix("."+host, suffix) {
			return true
		}
	}
	return false
}

// TestReportChromium renders the demo's report in headless Chromium with
// every request sent to a counting proxy: the DOM Chromium built must
// hold the key numbers and every chart as SVG, no request may reach the
// proxy, the screenshot must show a page (text, the red cards), and the
// page must print on A4. Set REPORT_SCREENSHOT to a file name to keep the
// screenshot (the README's image is made so).
func TestReportChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	bin := chromium(t)
	page, dir := writeDemoReport(t)
	proxy, requests := noNetwork(t)
	// "<-loopback>" removes the implicit bypass of local names, so that
	// every request goes to the proxy.
	args := []string{proxy, "--proxy-bypass-list=<-loopback>"}

	dom := string(runChromium(t, bin, page, append(args, "--dump-dom")...))
	s := demoSummary(t, dir)
	var kids int64
	for _, l := range notifyLevels {
		kids += s.ChildrenByLevel[l]
	}
	for _, w := range []string{
		`id="persons-to-notify">` + itoa(s.PersonsNotify) + `<`,
		`id="children-to-notify">` + itoa(kids) + `<`,
		`id="phones-exposed">` + itoa(s.PhonesExposed) + `<`,
		"personuppgiftsincident",
	} {
		if !strings.Contains(dom, w) {
			t.Errorf("DOM lacks %q", w)
		}
	}
	for _, id := range []string{"chart-levels", "chart-time", "chart-coverage", "chart-actor-categories", "chart-actor-countries", "chart-actor-networks"} {
		open := `<figure id="` + id + `">`
		i := strings.Index(dom, open)
		if i < 0 || !strings.HasPrefix(dom[i+len(open):], "<svg") {
			t.Errorf("DOM lacks the chart %s as SVG", id)
		}
	}
	for _, sec := range []string{"summary", "regions", "imy", "actors", "time", "coverage", "method", "lists"} {
		if !strings.Contains(dom, `<section id="`+sec+`">`) {
			t.Errorf("DOM lacks section %s", sec)
		}
	}

	// The screenshot is kept with "go test -artifacts" (or copied to
	// $REPORT_SCREENSHOT, as the README's image is made).
	shot := filepath.Join(t.ArtifactDir(), "report.png")
	runChromium(t, bin, page, append(args, "--screenshot="+shot, "--window-size=1100,1500", "--hide-scrollbars")...)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1100 || b.Dy() != 1500 {
		t.Errorf("screenshot is %dx%d, want 1100x1500", b.Dx(), b.Dy())
	}
	st := pixelStats(img)
	t.Logf("screenshot: luma mean %.1f, variance %.1f, dark pixels %.2f %%, coloured %.2f %%", st.mean, st.variance, 100*st.dark, 100*st.coloured)
	if st.variance < 200 {
		t.Errorf("screenshot looks blank: luma variance %.1f", st.variance)
	}
	if st.dark < 0.01 {
		t.Errorf("screenshot has too little text: %.3f %% dark pixels", 100*st.dark)
	}
	if st.coloured < 0.0005 {
		t.Errorf("screenshot has no colour (the summary cards are red): %.3f %%", 100*st.coloured)
	}
	if keep := os.Getenv("REPORT_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(keep, b, 0o644); err != nil {
			t.Error(err)
		}
	}

	pdf := filepath.Join(t.ArtifactDir(), "report.pdf")
	runChromium(t, bin, page, append(args, "--no-pdf-header-footer", "--print-to-pdf="+pdf)...)
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1))
	t.Logf("printed: %d A4 pages", pages)
	if pages == 0 || pages > 12 {
		t.Errorf("printed to %d pages", pages)
	}
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0 0 59[45]\.`).Match(b) {
		t.Errorf("printed page is not A4 (595 pt wide)")
	}
	if keep := os.Getenv("REPORT_PDF"); keep != "" {
		if err := os.WriteFile(keep, b, 0o644); err != nil {
			t.Error(err)
		}
	}
	if r := requests(); len(r) != 0 {
		t.Errorf("the page made %d network requests: %q", len(r), r)
	}
	// And no URL in the page a browser would fetch: Chromium's own Google
	// traffic is ignored above, so a page fetching from Google would hide.
	if u := regexp.MustCompile(`(src|href|url)\(?=?["']?(https?:)?//`).FindString(dom); u != "" {
		t.Errorf("the page names a remote resource: %q", u)
	}
}

type pixelStatsResult struct {
	mean, variance float64
	dark, coloured float64 // shares of pixels
}

func pixelStats(img image.Image) pixelStatsResult {
	b := img.Bounds()
	var n, sum, sumSq, dark, coloured float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r8, g8, b8 := float64(r>>8), float64(g>>8), float64(bl>>8)
			l := 0.299*r8 + 0.587*g8 + 0.114*b8
			n++
			sum += l
			sumSq += l * l
			if l < 100 {
				dark++
			}
			if r8-g8 > 60 && r8-b8 > 60 {
				coloured++
			}
		}
	}
	mean := sum / n
	return pixelStatsResult{mean: mean, variance: sumSq/n - mean*mean, dark: dark / n, coloured: coloured / n}
}

// TestPixelStats checks that the screenshot checks tell a blank page from
// one with text.
func TestPixelStats(t *testing.T) {
	blank := image.NewRGBA(image.Rect(0, 0, 100, 100))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if st := pixelStats(blank); st.variance != 0 || st.dark != 0 || st.coloured != 0 {
		t.Errorf("blank page: %+v", st)
	}
	text := image.NewRGBA(image.Rect(0, 0, 100, 100))
	copy(text.Pix, blank.Pix)
	for y := 10; y < 20; y++ {
		for x := 0; x < 100; x++ {
			text.Set(x, y, color.RGBA{0xb3, 0x26, 0x1e, 0xff})
		}
	}
	if st := pixelStats(text); st.variance < 200 || st.dark < 0.09 || st.coloured < 0.09 {
		t.Errorf("page with a red band: %+v", st)
	}
}
