package realserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writeConfig writes the server's configuration for port and returns the
// server's command-line arguments.
func (s *Server) writeConfig(port int) ([]string, error) {
	var conf string
	var args []string
	root := os.Geteuid() == 0
	switch s.Kind {
	case Nginx:
		conf, args = nginxConfig(s.cfg, port, root)
	case Apache:
		conf, args = apacheConfig(s.cfg, port, root)
	case Lighttpd:
		conf, args = lighttpdConfig(s.cfg, port, root)
	case Caddy:
		conf, args = caddyConfig(s.cfg, port)
	case HAProxy:
		conf, args = haproxyConfig(s.cfg, port)
	default:
		return nil, fmt.Errorf("realserver: unknown server kind %q", s.Kind)
	}
	if err := os.WriteFile(s.configPath(), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	return args, nil
}

func (s *Server) configPath() string {
	return filepath.Join(s.Dir, string(s.Kind)+".conf")
}

// quote returns s as a double-quoted string for nginx, Apache and lighttpd
// configuration files.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func nginxConfig(c Config, port int, root bool) (string, []string) {
	d := c.Dir
	var b strings.Builder
	b.WriteString("daemon off;\nmaster_process on;\nworker_processes 1;\n")
	fmt.Fprintf(&b, "pid %s;\nerror_log %s info;\n", quote(filepath.Join(d, "nginx.pid")), quote(filepath.Join(d, "error.log")))
	if root {
		u, g := unprivileged()
		fmt.Fprintf(&b, "user %s %s;\n", u, g)
	}
	b.WriteString("events { worker_connections 128; }\nhttp {\n")
	b.WriteString("  types { audio/mpeg mp3; audio/wav wav; text/html html; }\n  default_type application/octet-stream;\n")
	for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&b, "  %s_temp_path %s;\n", t, quote(filepath.Join(d, "tmp", t)))
	}
	b.WriteString("  sendfile on;\n  keepalive_timeout 5s;\n")
	for _, f := range c.Formats {
		name := f.Server
		if f.Name != FormatDefault {
			fmt.Fprintf(&b, "  log_format %s '%s';\n", f.Name, f.Server)
			name = f.Name
		}
		fmt.Fprintf(&b, "  access_log %s %s;\n", quote(filepath.Join(d, "access-"+f.Name+".log")), name)
	}
	if c.TLS {
		fmt.Fprintf(&b, "  server {\n    listen 127.0.0.1:%d ssl http2;\n    server_name localhost;\n    root %s;\n", port, quote(c.DocRoot))
		fmt.Fprintf(&b, "    ssl_certificate %s;\n    ssl_certificate_key %s;\n", quote(filepath.Join(d, "cert.pem")), quote(filepath.Join(d, "key.pem")))
	} else {
		fmt.Fprintf(&b, "  server {\n    listen 127.0.0.1:%d;\n    server_name localhost;\n    root %s;\n", port, quote(c.DocRoot))
	}
	b.WriteString("    autoindex on;\n    set_real_ip_from 127.0.0.1;\n    real_ip_header X-Forwarded-For;\n    real_ip_recursive on;\n  }\n}\n")
	os.MkdirAll(filepath.Join(d, "tmp"), 0o755)
	conf := filepath.Join(d, "nginx.conf")
	return b.String(), []string{"-p", d, "-c", conf, "-e", filepath.Join(d, "error.log")}
}

const apacheModules = "/usr/lib/apache2/modules"

func apacheConfig(c Config, port int, root bool) (string, []string) {
	d := c.Dir
	var b strings.Builder
	fmt.Fprintf(&b, "ServerRoot %s\nListen 127.0.0.1:%d\nServerName localhost\n", quote(d), port)
	fmt.Fprintf(&b, "PidFile %s\nDefaultRuntimeDir %s\nErrorLog %s\nLogLevel warn\n",
		quote(filepath.Join(d, "apache.pid")), quote(filepath.Join(d, "run")), quote(filepath.Join(d, "error.log")))
	for _, m := range []string{"mpm_event", "authz_core", "dir", "autoindex", "mime", "remoteip"} {
		fmt.Fprintf(&b, "LoadModule %s_module %s\n", m, quote(filepath.Join(apacheModules, "mod_"+m+".so")))
	}
	if root {
		u, g := unprivileged()
		fmt.Fprintf(&b, "User %s\nGroup %s\n", u, g)
	}
	b.WriteString("StartServers 1\nServerLimit 2\nThreadLimit 16\nThreadsPerChild 16\nMinSpareThreads 1\nMaxSpareThreads 32\nMaxRequestWorkers 32\n")
	types := filepath.Join(d, "mime.types")
	os.WriteFile(types, []byte("audio/mpeg mp3\naudio/wav wav\ntext/html html\n"), 0o644)
	fmt.Fprintf(&b, "KeepAliveTimeout 5\nTypesConfig %s\n", quote(types))
	fmt.Fprintf(&b, "DocumentRoot %s\n<Directory %s>\n  Options +Indexes\n  Require all granted\n</Directory>\n", quote(c.DocRoot), quote(c.DocRoot))
	if c.AcceptPathInfo {
		b.WriteString("AcceptPathInfo On\n")
	}
	b.WriteString("RemoteIPHeader X-Forwarded-For\nRemoteIPInternalProxy 127.0.0.1\n")
	for _, f := range c.Formats {
		name := "fmt_" + f.Name
		fmt.Fprintf(&b, "LogFormat %s %s\n", quote(f.Server), name)
		fmt.Fprintf(&b, "CustomLog %s %s\n", quote(filepath.Join(d, "access-"+f.Name+".log")), name)
	}
	os.MkdirAll(filepath.Join(d, "run"), 0o755)
	return b.String(), []string{"-f", filepath.Join(d, "apache.conf"), "-DFOREGROUND"}
}

func lighttpdConfig(c Config, port int, root bool) (string, []string) {
	d := c.Dir
	var b strings.Builder
	fmt.Fprintf(&b, "server.document-root = %s\nserver.bind = \"127.0.0.1\"\nserver.port = %d\n", quote(c.DocRoot), port)
	fmt.Fprintf(&b, "server.pid-file = %s\nserver.errorlog = %s\n", quote(filepath.Join(d, "lighttpd.pid")), quote(filepath.Join(d, "error.log")))
	b.WriteString("server.modules = ( \"mod_extforward\", \"mod_dirlisting\", \"mod_accesslog\" )\n")
	if root {
		u, g := unprivileged()
		fmt.Fprintf(&b, "server.username = %s\nserver.groupname = %s\n", quote(u), quote(g))
	}
	b.WriteString("dir-listing.activate = \"enable\"\n")
	b.WriteString("extforward.forwarder = ( \"127.0.0.1\" => \"trust\" )\nextforward.headers = ( \"X-Forwarded-For\" )\n")
	b.WriteString("mimetype.assign = ( \".mp3\" => \"audio/mpeg\", \".wav\" => \"audio/wav\", \".html\" => \"text/html\" )\n")
	f := c.Formats[0]
	fmt.Fprintf(&b, "accesslog.filename = %s\n", quote(filepath.Join(d, "access-"+f.Name+".log")))
	if f.Server != "" {
		fmt.Fprintf(&b, "accesslog.format = %s\n", quote(f.Server))
	}
	return b.String(), []string{"-D", "-f", filepath.Join(d, "lighttpd.conf")}
}

func caddyConfig(c Config, port int) (string, []string) {
	d := c.Dir
	var b strings.Builder
	// No admin endpoint (parallel servers would share its port), no
	// HTTPS, state in Dir.
	fmt.Fprintf(&b, "{\n\tadmin off\n\tauto_https off\n\n\tstorage file_system %s\n}\n", quote(filepath.Join(d, "data")))
	fmt.Fprintf(&b, "http://127.0.0.1:%d {\n\troot * %s\n\tfile_server browse\n", port, quote(c.DocRoot))
	fmt.Fprintf(&b, "\tlog {\n\t\toutput file %s\n\t\tformat json\n\t}\n}\n", quote(filepath.Join(d, "access-"+c.Formats[0].Name+".log")))
	conf := filepath.Join(d, "caddy.conf")
	return b.String(), []string{"run", "--config", conf, "--adapter", "caddyfile"}
}

func haproxyConfig(c Config, port int) (string, []string) {
	var b strings.Builder
	// A syslog header (RFC 3164) on every line, as HAProxy logs through
	// syslog in the field: the daemon's own messages ("Proxy fe stopped")
	// go to the same log, and the header tells them from requests.
	// dontlognull: the harness's readiness probes send nothing.
	b.WriteString("global\n\tlog stdout format rfc3164 local0 info\n\tmaxconn 64\n")
	b.WriteString("defaults\n\tmode http\n\tlog global\n\toption httplog\n\toption dontlognull\n")
	b.WriteString("\ttimeout connect 5s\n\ttimeout client 30s\n\ttimeout server 30s\n")
	fmt.Fprintf(&b, "frontend fe\n\tbind 127.0.0.1:%d\n", port)
	b.WriteString("\tcapture request header Range len 64\n\tcapture response header Content-Range len 64\n")
	b.WriteString("\tdefault_backend be\n")
	fmt.Fprintf(&b, "backend be\n\tserver s1 %s\n", c.Backend)
	conf := filepath.Join(c.Dir, "haproxy.conf")
	return b.String(), []string{"-db", "-f", conf}
}
