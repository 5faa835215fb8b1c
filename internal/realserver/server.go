package realserver

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Kind names a web server.
type Kind string

// The servers the harness drives.
const (
	Nginx    Kind = "nginx"
	Apache   Kind = "apache"
	Lighttpd Kind = "lighttpd"
	Caddy    Kind = "caddy"
	// HAProxy is a reverse proxy in front of another server
	// (Config.Backend); it logs with "option httplog" and captures the
	// Range request and Content-Range response headers.
	HAProxy Kind = "haproxy"
)

// Binary returns the path of kind's server binary, or an error when it is
// not installed.
func Binary(kind Kind) (string, error) {
	names := map[Kind][]string{
		Nginx:    {"nginx"},
		Apache:   {"apache2", "httpd"},
		Lighttpd: {"lighttpd"},
		Caddy:    {"caddy"},
		HAProxy:  {"haproxy"},
	}[kind]
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
		for _, d := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
			p := filepath.Join(d, n)
			if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("realserver: %s binary not found (looked for %v)", kind, names)
}

// Log format names a Config may ask for.
const (
	FormatDefault  = "default"  // the server's stock format (Debian's for Apache)
	FormatExtended = "extended" // adds Range, duration, completion, wire bytes
	// FormatUpstream is Apache's upstream combined format with %b, the
	// default of Red Hat's httpd: body bytes as Apache counts them.
	FormatUpstream = "upstream"
)

// A LogFormat is one access-log format as a server writes it and as
// pkg/logparse reads it.
type LogFormat struct {
	Name string // FormatDefault, FormatExtended or FormatUpstream
	// Spec is the logparse format: a built-in name or "apache:..." /
	// "nginx:..." format string.
	Spec string
	// Server is the format string as the server's configuration spells
	// it; empty for lighttpd's built-in default.
	Server string
}

// Formats returns the log formats of kind by name.
func Formats(kind Kind) map[string]LogFormat {
	switch kind {
	case Nginx:
		ext := `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_range" $request_time $request_completion $bytes_sent`
		return map[string]LogFormat{
			FormatDefault:  {FormatDefault, "nginx_combined", "combined"},
			FormatExtended: {FormatExtended, "nginx:" + ext, ext},
		}
	case Apache:
		def := `%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`
		ext := `%a %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" "%{Range}i" %D %X %O`
		return map[string]LogFormat{
			FormatDefault:  {FormatDefault, "combined_debian", def},
			FormatExtended: {FormatExtended, "apache:" + ext, ext},
			FormatUpstream: {FormatUpstream, "combined", `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`},
		}
	case Lighttpd:
		ext := `%h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" "%{Range}i" %D %X %O`
		return map[string]LogFormat{
			FormatDefault:  {FormatDefault, "lighttpd", ""},
			FormatExtended: {FormatExtended, "apache:" + ext, ext},
		}
	case Caddy:
		// Caddy's JSON access log: one format.
		return map[string]LogFormat{FormatDefault: {FormatDefault, "caddy", ""}}
	case HAProxy:
		// option httplog, with the captured Range and Content-Range
		// headers as its two {...} blocks.
		return map[string]LogFormat{FormatDefault: {FormatDefault, "haproxy", ""}}
	}
	return nil
}

// Config describes a server to start.
type Config struct {
	Kind Kind
	// Dir holds the configuration, pid file, error log and access logs.
	// It must exist.
	Dir string
	// DocRoot is the document root; the recordings are under
	// DocRoot/recordings.
	DocRoot string
	// Formats are the access-log formats to write, one file each
	// (lighttpd writes one access log only: give it one format).
	Formats []LogFormat
	// TZ, when set, is the server's time zone (the TZ environment
	// variable), so that its local-time stamps carry that offset.
	TZ string
	// AcceptPathInfo turns Apache's AcceptPathInfo on: a request for
	// "x.wav/anything" is answered with x.wav.
	AcceptPathInfo bool
	// Backend is the "127.0.0.1:port" HAProxy forwards to.
	Backend string
	// TLS serves HTTPS with HTTP/2 (nginx only), with a self-signed
	// certificate for 127.0.0.1 written to Dir.
	TLS bool
}

// A Server is a running web server process on 127.0.0.1.
type Server struct {
	Kind Kind
	// Addr is the server's "127.0.0.1:port".
	Addr string
	Dir  string
	cfg  Config

	bin     string // the server binary, resolved
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	gen     int // rotations so far
	stopped bool
}

// URL returns the server's base URL, "http://127.0.0.1:port" or
// "https://..." with TLS.
func (s *Server) URL() string {
	if s.cfg.TLS {
		return "https://" + s.Addr
	}
	return "http://" + s.Addr
}

// AccessLog returns the path of the current access log of format name.
func (s *Server) AccessLog(name string) string {
	return filepath.Join(s.Dir, "access-"+name+".log")
}

// LogFiles returns the access logs of format name in the order they were
// written: the rotated, gzipped generations first (name.log.1.gz is the
// oldest), then the current file. Call it after Stop.
func (s *Server) LogFiles(name string) []string {
	var out []string
	for g := 1; g <= s.gen; g++ {
		out = append(out, s.AccessLog(name)+"."+strconv.Itoa(g)+".gz")
	}
	return append(out, s.AccessLog(name))
}

// ErrorLog returns the path of the server's error log.
func (s *Server) ErrorLog() string { return filepath.Join(s.Dir, "error.log") }

// Start writes the configuration for cfg and starts the server on a free
// port of 127.0.0.1, returning once it accepts connections. The caller
// must call Stop (or Kill) whatever happens.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	bin, err := Binary(cfg.Kind)
	if err != nil {
		return nil, err
	}
	if (cfg.Kind == Lighttpd || cfg.Kind == Caddy || cfg.Kind == HAProxy) && len(cfg.Formats) != 1 {
		return nil, fmt.Errorf("realserver: %s writes one access log: give one format", cfg.Kind)
	}
	if cfg.Kind == HAProxy && cfg.Backend == "" {
		return nil, errors.New("realserver: HAProxy needs a Backend")
	}
	if cfg.TLS {
		if cfg.Kind != Nginx {
			return nil, errors.New("realserver: TLS is set up for nginx only")
		}
		if err := writeSelfSigned(cfg.Dir); err != nil {
			return nil, err
		}
	}
	if os.Geteuid() == 0 {
		// Workers run as nobody: let them reach the files.
		for _, d := range []string{cfg.DocRoot, cfg.Dir} {
			if err := openUp(d); err != nil {
				return nil, err
			}
		}
		if cfg.Kind == Lighttpd {
			// lighttpd reopens its logs after dropping privileges.
			if err := chownToUnprivileged(cfg.Dir); err != nil {
				return nil, err
			}
		}
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &Server{Kind: cfg.Kind, Addr: "127.0.0.1:" + strconv.Itoa(port), Dir: cfg.Dir, cfg: cfg}
		args, err := s.writeConfig(port)
		if err != nil {
			return nil, err
		}
		if err := s.launch(ctx, bin, args); err != nil {
			lastErr = err
			continue // perhaps the port was taken meanwhile
		}
		return s, nil
	}
	return nil, lastErr
}

// openUp adds read and search permission for others on dir and its
// ancestors where it is missing.
func openUp(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o005 != 0o005 {
			if err := os.Chmod(dir, fi.Mode().Perm()|0o005); err != nil {
				return err
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) launch(ctx context.Context, bin string, args []string) error {
	out, err := os.OpenFile(filepath.Join(s.Dir, "stdio.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = os.Environ()
	if s.cfg.TZ != "" {
		cmd.Env = append(cmd.Env, "TZ="+s.cfg.TZ)
	}
	switch s.Kind {
	case HAProxy:
		// HAProxy logs to its standard output ("log stdout"), in its
		// local time without a zone: make that UTC.
		log, err := os.OpenFile(s.AccessLog(s.cfg.Formats[0].Name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer log.Close()
		cmd.Stdout = log
		cmd.Env = append(cmd.Env, "TZ=UTC")
	case Caddy:
		// Caddy keeps its state under $HOME and the XDG folders: keep it
		// in Dir.
		cmd.Env = append(cmd.Env, "HOME="+s.Dir, "XDG_CONFIG_HOME="+filepath.Join(s.Dir, "config"), "XDG_DATA_HOME="+filepath.Join(s.Dir, "data"))
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("realserver: start %s: %w", s.Kind, err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	s.bin = bin
	if r, err := filepath.EvalSymlinks(bin); err == nil {
		s.bin = r
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("realserver: %s exited at start (%v): %s", s.Kind, s.waitErr, s.startupDiagnostics())
		case <-ctx.Done():
			s.Kill()
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("realserver: %s did not accept connections within 15s: %s", s.Kind, s.startupDiagnostics())
		}
	}
}

// startupDiagnostics returns the end of the server's own output and error
// log. Only used before any request was made, so they hold no request data.
func (s *Server) startupDiagnostics() string {
	var b bytes.Buffer
	for _, p := range []string{filepath.Join(s.Dir, "stdio.log"), s.ErrorLog()} {
		data, _ := os.ReadFile(p)
		if len(data) > 2000 {
			data = data[len(data)-2000:]
		}
		b.Write(data)
	}
	return b.String()
}

// Rotate renames every access log to its next generation name and makes
// the server reopen its logs (nginx SIGUSR1, Apache graceful restart
// SIGUSR1, lighttpd SIGHUP), returning once the new files exist. Stop
// gzips the renamed files.
func (s *Server) Rotate() error {
	if s.Kind == Caddy || s.Kind == HAProxy {
		return fmt.Errorf("realserver: rotating %s's log is not supported", s.Kind)
	}
	s.gen++
	for _, f := range s.cfg.Formats {
		if err := os.Rename(s.AccessLog(f.Name), s.AccessLog(f.Name)+"."+strconv.Itoa(s.gen)); err != nil {
			return err
		}
	}
	sig := syscall.SIGUSR1
	if s.Kind == Lighttpd {
		sig = syscall.SIGHUP
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, f := range s.cfg.Formats {
		for {
			if _, err := os.Stat(s.AccessLog(f.Name)); err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("realserver: %s did not reopen its %s log", s.Kind, f.Name)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Workers reopen after the master: let them.
	time.Sleep(300 * time.Millisecond)
	// Apache's new generation must be listening again.
	return s.waitReady(5 * time.Second)
}

func (s *Server) waitReady(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("realserver: %s not accepting connections: %w", s.Kind, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server gracefully (so that every log line is written),
// kills its process group after a grace period, and gzips the rotated
// logs. It is safe to call more than once.
func (s *Server) Stop() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	// Graceful stops: every log line written, then exit.
	sig := map[Kind]syscall.Signal{Nginx: syscall.SIGQUIT, Apache: syscall.SIGTERM, Lighttpd: syscall.SIGINT,
		Caddy: syscall.SIGINT, HAProxy: syscall.SIGUSR1}[s.Kind]
	s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
	s.Kill()
	for g := 1; g <= s.gen; g++ {
		for _, f := range s.cfg.Formats {
			if err := gzipFile(s.AccessLog(f.Name) + "." + strconv.Itoa(g)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Kill kills the server's process group at once and waits for the
// server process. It is safe to call at any time, more than once. Once
// the server process has exited, its group ID may belong to someone else:
// then only leftover processes of the server's own binary in that group
// are killed, one by one.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
	default:
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
		}
	}
	// SIGKILL is delivered at once but workers die a moment later: wait
	// until none is left (a dead process's socket is closed).
	deadline := time.Now().Add(3 * time.Second)
	for s.killStragglers() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}

// killStragglers kills processes in the server's process group that run
// the server's binary (workers orphaned by a dead master, or not dead
// yet) and returns how many it found.
func (s *Server) killStragglers() int {
	pgid := s.cmd.Process.Pid
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// "pid (comm) state ppid pgrp ...": comm may hold anything.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 3 || f[2] != strconv.Itoa(pgid) {
			continue
		}
		if exe, err := os.Readlink("/proc/" + e.Name() + "/exe"); err == nil && exe == s.bin {
			syscall.Kill(pid, syscall.SIGKILL)
			n++
		}
	}
	return n
}

// gzipFile replaces name by name.gz.
func gzipFile(name string) error {
	in, err := os.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(name + ".gz")
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	if _, err := io.Copy(zw, in); err != nil {
		out.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Remove(name)
}

// chownToUnprivileged gives dir to the unprivileged user.
func chownToUnprivileged(dir string) error {
	un, gn := unprivileged()
	u, err := user.Lookup(un)
	if err != nil {
		return err
	}
	g, err := user.LookupGroup(gn)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(g.Gid)
	return os.Chown(dir, uid, gid)
}

// unprivileged returns the user and group that workers run as when the
// harness runs as root.
func unprivileged() (string, string) {
	u, g := "nobody", "nogroup"
	if _, err := user.LookupGroup(g); err != nil {
		g = "nobody"
	}
	return u, g
}

// writeSelfSigned writes cert.pem and key.pem for 127.0.0.1 to dir.
func writeSelfSigned(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
}
