package realserver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// An Actor is one scripted client. Every request it makes carries its
// X-Forwarded-For address and user agent, and is recorded in the Truth.
type Actor struct {
	IP        netip.Addr
	UserAgent string
	// Claimed, when valid, is put before IP in X-Forwarded-For, as a
	// client would claim an address of its own: the servers trust only
	// the proxy's hop, so IP stays the actor.
	Claimed netip.Addr

	srv    *Server
	truth  *Truth
	client *http.Client
	tr     *http.Transport
}

// NewActor returns an actor with its own connection pool that only ever
// dials srv's loopback address.
func NewActor(srv *Server, truth *Truth, ip netip.Addr, userAgent string) *Actor {
	addr := srv.Addr
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr) // never anything else
		},
		DisableCompression: true,
		MaxIdleConns:       2,
		IdleConnTimeout:    2 * time.Second,
		// HTTPS servers have a self-signed certificate; with a custom
		// dialer HTTP/2 must be asked for.
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2: true,
	}
	return &Actor{
		IP: ip, UserAgent: userAgent, srv: srv, truth: truth, tr: tr,
		client: &http.Client{
			Transport: tr,
			Timeout:   20 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
}

// forwardedFor returns the X-Forwarded-For value the actor sends.
func (a *Actor) forwardedFor() string {
	if a.Claimed.IsValid() {
		return a.Claimed.String() + ", " + a.IP.String()
	}
	return a.IP.String()
}

// Close closes the actor's idle connections.
func (a *Actor) Close() { a.tr.CloseIdleConnections() }

// Request makes a request through net/http. target is a path with its
// query, escaped as it should go on the wire; hdr adds headers.
func (a *Actor) Request(step, method, target string, hdr http.Header) (Exchange, error) {
	req, err := http.NewRequest(method, a.srv.URL()+target, nil)
	if err != nil {
		return Exchange{}, err
	}
	if req.URL.RequestURI() != target {
		return Exchange{}, fmt.Errorf("realserver: step %s: net/http would send another target; use Raw", step)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("X-Forwarded-For", a.forwardedFor())
	req.Header.Set("User-Agent", a.UserAgent)
	ex := Exchange{Step: step, Actor: a.IP, Time: time.Now(), Method: method, Target: target, Range: hdr.Get("Range")}
	resp, err := a.client.Do(req)
	if err != nil {
		// A *url.Error quotes the URL, whose file name holds a phone
		// number: keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return ex, fmt.Errorf("realserver: step %s: %w", step, err)
	}
	defer resp.Body.Close()
	return a.finish(ex, resp)
}

// Raw sends a request over a fresh connection, with target written
// exactly as given (Go's client would clean or re-escape it).
func (a *Actor) Raw(step, method, target string, hdr http.Header) (Exchange, error) {
	conn, err := net.DialTimeout("tcp", a.srv.Addr, 5*time.Second)
	if err != nil {
		return Exchange{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	ex := Exchange{Step: step, Actor: a.IP, Time: time.Now(), Method: method, Target: target, Raw: true, Range: hdr.Get("Range")}
	br := bufio.NewReader(conn)
	resp, err := a.rawRoundTrip(conn, br, method, target, hdr)
	if err != nil {
		return ex, fmt.Errorf("realserver: step %s: %w", step, err)
	}
	defer resp.Body.Close()
	return a.finish(ex, resp)
}

func (a *Actor) rawRoundTrip(conn net.Conn, br *bufio.Reader, method, target string, hdr http.Header) (*http.Response, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nX-Forwarded-For: %s\r\nUser-Agent: %s\r\nConnection: close\r\n",
		method, target, a.srv.Addr, a.forwardedFor(), a.UserAgent)
	for k, vs := range hdr {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return nil, err
	}
	return http.ReadResponse(br, &http.Request{Method: method})
}

// finish reads the body, records the exchange and returns it.
func (a *Actor) finish(ex Exchange, resp *http.Response) (Exchange, error) {
	ex.Status = resp.StatusCode
	ex.Proto = resp.Proto
	ex.ContentRange = resp.Header.Get("Content-Range")
	ex.ETag = resp.Header.Get("ETag")
	ex.LastModified = resp.Header.Get("Last-Modified")
	body, err := io.ReadAll(resp.Body)
	ex.BodyBytes = int64(len(body))
	if err != nil {
		return ex, fmt.Errorf("realserver: step %s: reading the body: %w", ex.Step, err)
	}
	if mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil && mt == "multipart/byteranges" {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return ex, fmt.Errorf("realserver: step %s: multipart body: %w", ex.Step, err)
			}
			n, err := io.Copy(io.Discard, part)
			from, ok := contentRangeStart(part.Header.Get("Content-Range"))
			if err != nil || !ok {
				return ex, fmt.Errorf("realserver: step %s: bad multipart part", ex.Step)
			}
			ex.Parts = append(ex.Parts, Part{from, n})
		}
	}
	if err := a.classify(&ex, resp, body); err != nil {
		return ex, err
	}
	a.truth.Add(ex)
	return ex, nil
}

var hrefRE = regexp.MustCompile(`(?i)href="([^"]*)"`)

// classify sets the exchange's Recording, or Listing and Listed.
func (a *Actor) classify(ex *Exchange, resp *http.Response, body []byte) error {
	u, err := url.Parse(ex.Target)
	if err != nil {
		return fmt.Errorf("realserver: step %s: bad target", ex.Step)
	}
	// Resolve dot segments as the server does.
	p := cleanPath(u.Path)
	if rec, ok := a.truth.Tree.ByPath(p); ok {
		ex.Recording = rec.Path
		return nil
	}
	if rec, ok := a.pathInfo(p, ex, body); ok {
		ex.Recording = rec.Path
		ex.PathInfo = true
		return nil
	}
	ct := resp.Header.Get("Content-Type")
	if ex.Method != "GET" || resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/html") {
		return nil
	}
	ex.Listing = true
	base := &url.URL{Path: p}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	for _, m := range hrefRE.FindAllSubmatch(body, -1) {
		ref, err := url.Parse(html.UnescapeString(string(m[1])))
		if err != nil || ref.Path == "" {
			continue
		}
		abs := base.ResolveReference(ref)
		if rec, ok := a.truth.Tree.ByPath(abs.Path); ok {
			ex.Listed = append(ex.Listed, rec.Path)
		}
	}
	return nil
}

// pathInfo returns the recording a request with something after a
// recording's file name ("x.wav/extra.mp3", "x.wav/") received: only when
// the body the client read is that recording's bytes (at the
// Content-Range's offset for a 206), so that the truth rests on what the
// client got, not on what the server meant.
func (a *Actor) pathInfo(p string, ex *Exchange, body []byte) (*Recording, bool) {
	if ex.Status != 200 && ex.Status != 206 || len(body) == 0 {
		return nil, false
	}
	for i := 1; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		rec, ok := a.truth.Tree.ByPath(p[:i])
		if !ok {
			continue
		}
		data, err := os.ReadFile(rec.File)
		if err != nil {
			return nil, false
		}
		from := int64(0)
		if ex.Status == 206 {
			if from, ok = contentRangeStart(ex.ContentRange); !ok {
				return nil, false
			}
		}
		if from+int64(len(body)) <= int64(len(data)) && bytes.Equal(data[from:from+int64(len(body))], body) {
			return rec, true
		}
		return nil, false
	}
	return nil, false
}

// cleanPath removes dot segments from an unescaped URL path.
func cleanPath(p string) string {
	u := &url.URL{Path: "/"}
	r := u.ResolveReference(&url.URL{Path: p})
	return r.Path
}

// AbortedGet requests target (with hdr, e.g. a Range) over a connection
// with a small receive buffer, reads keep body bytes, then resets the
// connection. The server
// can have sent at most its send buffer and the client's receive buffer.
func (a *Actor) AbortedGet(step, target string, hdr http.Header, keep int) (Exchange, error) {
	d := net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			})
			return errors.Join(err, serr)
		},
	}
	conn, err := d.Dial("tcp", a.srv.Addr)
	if err != nil {
		return Exchange{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	ex := Exchange{Step: step, Actor: a.IP, Time: time.Now(), Method: "GET", Target: target, Raw: true, Aborted: true, Range: hdr.Get("Range")}
	br := bufio.NewReaderSize(conn, 1024)
	resp, err := a.rawRoundTrip(conn, br, "GET", target, hdr)
	if err != nil {
		return ex, fmt.Errorf("realserver: step %s: %w", step, err)
	}
	ex.Status = resp.StatusCode
	ex.ContentRange = resp.Header.Get("Content-Range")
	n, err := io.CopyN(io.Discard, resp.Body, int64(keep))
	ex.BodyBytes = n
	if err != nil {
		return ex, fmt.Errorf("realserver: step %s: %w", step, err)
	}
	// Reset, not close: the server's next write fails at once.
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
	u, _ := url.Parse(target)
	if rec, ok := a.truth.Tree.ByPath(cleanPath(u.Path)); ok {
		ex.Recording = rec.Path
	}
	a.truth.Add(ex)
	return ex, nil
}

// Curl makes a request with the curl command line client, as a responder
// would reproduce one by hand: target is the path and query as sent
// (--path-as-is), args add curl options (-r 0-99, --http2, ...). The
// status, headers and body are taken from what curl received.
func (a *Actor) Curl(step, target string, args ...string) (Exchange, error) {
	dir, err := os.MkdirTemp("", "realserver-curl-")
	if err != nil {
		return Exchange{}, err
	}
	defer os.RemoveAll(dir)
	hdrFile, bodyFile := filepath.Join(dir, "headers"), filepath.Join(dir, "body")
	full := append([]string{"-sS", "--path-as-is", "--max-time", "20", "-D", hdrFile, "-o", bodyFile,
		"-H", "X-Forwarded-For: " + a.forwardedFor(), "-A", a.UserAgent}, args...)
	if strings.HasPrefix(a.srv.URL(), "https:") {
		full = append(full, "-k") // the server's certificate is self-signed
	}
	full = append(full, a.srv.URL()+target)
	ex := Exchange{Step: step, Actor: a.IP, Time: time.Now(), Method: "GET", Target: target, Raw: true, Curl: true}
	for i, arg := range args {
		switch {
		case arg == "-r" && i+1 < len(args):
			ex.Range = "bytes=" + args[i+1]
		case arg == "-I":
			ex.Method = "HEAD"
		}
	}
	// curl's messages name the URL, whose file name holds a phone
	// number: keep the exit status only.
	if err := exec.Command("curl", full...).Run(); err != nil {
		return ex, fmt.Errorf("realserver: step %s: curl: %v", step, err)
	}
	hdr, err := os.ReadFile(hdrFile)
	if err != nil {
		return ex, err
	}
	body, _ := os.ReadFile(bodyFile)
	resp, err := parseCurlHeaders(hdr)
	if err != nil {
		return ex, fmt.Errorf("realserver: step %s: %w", step, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return a.finish(ex, resp)
}

// parseCurlHeaders reads the last response of a curl -D dump ("HTTP/1.1
// 200 OK", "HTTP/2 206", headers, a blank line).
func parseCurlHeaders(dump []byte) (*http.Response, error) {
	blocks := strings.Split(strings.ReplaceAll(string(dump), "\r\n", "\n"), "\n\n")
	var last string
	for _, b := range blocks {
		if strings.HasPrefix(b, "HTTP/") {
			last = b
		}
	}
	lines := strings.Split(last, "\n")
	f := strings.Fields(lines[0])
	if len(f) < 2 {
		return nil, errors.New("curl: no status line")
	}
	code, err := strconv.Atoi(f[1])
	if err != nil {
		return nil, errors.New("curl: bad status line")
	}
	resp := &http.Response{StatusCode: code, Proto: f[0], Header: http.Header{}}
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			resp.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return resp, nil
}

// CancelledStream requests target over the actor's pooled connection
// (HTTP/2 with a TLS server), reads keep body bytes and closes the body:
// over HTTP/2 that resets the stream (RST_STREAM, CANCEL) and leaves the
// connection open, as a browser's audio element does when it seeks.
func (a *Actor) CancelledStream(step, target string, keep int64) (Exchange, error) {
	req, err := http.NewRequest("GET", a.srv.URL()+target, nil)
	if err != nil {
		return Exchange{}, err
	}
	req.Header.Set("X-Forwarded-For", a.forwardedFor())
	req.Header.Set("User-Agent", a.UserAgent)
	ex := Exchange{Step: step, Actor: a.IP, Time: time.Now(), Method: "GET", Target: target, Aborted: true}
	resp, err := a.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return ex, fmt.Errorf("realserver: step %s: %w", step, err)
	}
	ex.Status = resp.StatusCode
	ex.Proto = resp.Proto
	n, err := io.CopyN(io.Discard, resp.Body, keep)
	resp.Body.Close()
	ex.BodyBytes = n
	if err != nil {
		return ex, fmt.Errorf("realserver: step %s: %w", step, err)
	}
	u, _ := url.Parse(target)
	if rec, ok := a.truth.Tree.ByPath(cleanPath(u.Path)); ok {
		ex.Recording = rec.Path
	}
	a.truth.Add(ex)
	return ex, nil
}
