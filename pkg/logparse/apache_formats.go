package logparse

// Apache httpd access logs (mod_log_config).
//
// A LogFormat string is compiled once, by ParseFormat("apache:..."), into a
// list of fields: each field is the literal text before it and one %
// directive. A line is matched against the fields from left to right; the
// end of a field's value is the next occurrence of the literal that follows
// it. Where that is ambiguous (a request line holding unescaped quotes, a
// user name with a space) the matcher tries the later occurrences in order,
// as a careful reader would, within a budget that keeps the time per line
// linear in its length; values are decoded only after the whole line has
// matched. Unquoted host, ident, user, status, port and count fields hold
// no spaces; spaces after the last field are ignored.
//
// The built-in formats are registered by name:
//
//	common          %h %l %u %t "%r" %>s %b
//	combined        %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
//	combined_debian %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"
//	vhost_combined  %v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"
//	lighttpd        %h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"
//
// The byte counts differ: in common and combined (%b) the count is the
// response body only, "-" for none (Record.BodyBytes); Debian and Ubuntu
// ship a "combined" LogFormat that logs %O, the bytes on the wire with the
// response headers (Record.WireBytes), and so do their vhost_combined. A
// 304 logged with %O is a few hundred bytes that are all headers.
//
// lighttpd's default accesslog.format looks like combined with the virtual
// host in the ident column, but its %t is the time the request ENDED, not
// when it arrived as in Apache; long downloads are stamped at their end.
//
// Real files mix variants, and the built-in formats read them without
// losing a line: a line that ends after the byte count (a common line in a
// combined file) leaves Referer and UserAgent empty; fields logged after
// the last one of the format (a trailing X-Forwarded-For) are kept in Extra
// as "trailing"; a line of common, combined or combined_debian prefixed
// with a virtual host ("www.example.org:443 192.0.2.1 - - [...") and a
// vhost_combined line without the prefix are read as such. These rules
// apply to compiled format strings too, except the virtual-host ones: a
// line may end before any field that follows the last request, status,
// byte or time field when the literal before that field begins with a
// space, and well-formed extra fields may follow the last one.
//
// Apache escapes " as \", \ as \\, and control and non-printable bytes as
// \xhh (and \n, \t, \r, \b, \v) in nearly all string fields. Values are
// unescaped into the record only when they hold an escape; otherwise they
// alias the line. A quoted value that holds unescaped quotes (written by
// other servers, old Apache versions or by hand) ends at the first quote
// that is followed by the format's next literal and lets the rest of the
// line match. A final quoted field whose closing quote is missing (a cut
// user agent) is read to the end of the line and flagged in Extra as
// "unterminated" with the directive's name.
//
// Directive to Record mapping: %h and %a set Client (a host name goes to
// ClientHost; with both, %a is the address and %h is kept in Extra and,
// when a name, in ClientHost); %l Ident; %u User; %r the request line
// (Method, Target, Path, Query, Protocol; a line that is not a request is
// kept in Extra as "%r"); without %r, %m, %U (already decoded by Apache),
// %q and %H; %>s Status (%s and %<s when no %>s is logged); %B or %b
// BodyBytes; %O WireBytes; %I RequestBytes; %D, %{us}T, %{ms}T, %T and
// %{s}T Duration (the finest unit logged wins); %X Completion; %v and %V
// VHost (%V wins); %p, %{canonical}p and %{local}p ServerPort;
// %{Referer}i, %{User-Agent}i, %{X-Forwarded-For}i, %{Range}i and
// %{Content-Range}o (header names match in any case) their fields. %t and
// %{format}t set Time; all begin-time directives of a format are merged
// ("%{%d/%b/%Y:%T}t.%{msec_frac}t %{%z}t" gives one Time with
// milliseconds), %{end:...}t goes to Extra (and sets Time only when the
// format logs no begin time). A time logged without a zone offset is read
// as UTC: the server's zone must come from elsewhere. Every other
// directive, and a directive that loses to a preferred one, goes to Extra
// under its text as written in the format ("%{Cookie}i", "%400{Via}i").
// "-" in a typed string field is "", in Status and ServerPort 0, in %b 0,
// in the other counts NotLogged.

func init() {
	registerStyle("apache", compileApache)
	for _, b := range apacheBuiltins {
		f, err := compileApacheFormat(b.name, b.spec)
		if err != nil {
			panic("logparse: built-in format " + b.name + ": " + err.Error())
		}
		f.fast = true
		f.fastVHost = b.vhost
		f.fastCombined = len(f.fields) > 7+apBoolInt(b.vhost)*2
		for _, a := range b.alts {
			alt, err := compileApacheFormat(b.name, a.spec)
			if err != nil {
				panic("logparse: built-in format " + b.name + ": " + err.Error())
			}
			if a.vhost {
				alt.fields[0].kind = akVHostPort
			}
			alt.altNeedsVHost = a.check
			f.alts = append(f.alts, alt)
		}
		register(b.name, func() Format { return f })
	}
}

// An apacheAlt is a variant of a built-in format tried on a line that
// does not match it.
type apacheAlt struct {
	spec  string
	vhost bool // the first field is a "host[:port]" virtual host
	check bool // accept only a plausible virtual host (see altAccept)
}

const (
	specCommon   = `%h %l %u %t "%r" %>s %b`
	specCombined = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`
	specDebian   = `%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`
)

var apacheBuiltins = []struct {
	name, spec string
	vhost      bool
	alts       []apacheAlt
}{
	{"common", specCommon, false, []apacheAlt{{"%v " + specCommon, true, true}}},
	{"combined", specCombined, false, []apacheAlt{{"%v " + specCombined, true, true}}},
	{"combined_debian", specDebian, false, []apacheAlt{{"%v " + specDebian, true, true}}},
	// Debian's vhost_combined; upstream's and SUSE's log "%v " without the
	// port, and a virtual host's log may hold lines without any prefix.
	{"vhost_combined", "%v:%p " + specDebian, true, []apacheAlt{{"%v " + specDebian, true, false}, {specDebian, false, false}}},
	{"lighttpd", `%h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`, false, nil},
}

func apBoolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
