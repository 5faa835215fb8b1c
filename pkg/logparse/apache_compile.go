package logparse

import "strings"

// The LogFormat compiler: a mod_log_config format string becomes a list
// of fields (apacheFormat), each the literal before it and one directive.

// compileApache compiles a mod_log_config LogFormat string.
func compileApache(spec string) (Format, error) {
	f, err := compileApacheFormat("apache:"+spec, spec)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// apKind says what a directive's value is and where it goes in a Record.
type apKind uint8

const (
	akExtra        apKind = iota // any value, kept in Extra under the directive's name
	akHost                       // %h: Client or ClientHost
	akHostName                   // %h when %a is logged too: ClientHost and Extra
	akAddr                       // %a: Client
	akIdent                      // %l
	akUser                       // %u
	akTimeCLF                    // %t: [02/Jan/2006:15:04:05 -0700]
	akTimeFmt                    // %{format}t, begin time
	akTimeEnd                    // %{end:format}t
	akRequest                    // %r
	akMethod                     // %m
	akPath                       // %U
	akQuery                      // %q
	akProto                      // %H
	akStatus                     // %>s, or %s when no %>s
	akBodyCLF                    // %b ("-" is 0)
	akBody                       // %B
	akWire                       // %O
	akReqBytes                   // %I
	akDurUS                      // %D, %{us}T
	akDurMS                      // %{ms}T
	akDurS                       // %T, %{s}T
	akReferer                    // %{Referer}i
	akUserAgent                  // %{User-Agent}i
	akXFF                        // %{X-Forwarded-For}i
	akRange                      // %{Range}i
	akContentRange               // %{Content-Range}o
	akVHost                      // %V
	akVHostCanon                 // %v
	akVHostPort                  // a "host[:port]" prefix (built-in fallbacks)
	akPort                       // %p, %{canonical}p
	akPortLocal                  // %{local}p
	akCompletion                 // %X
	akStatusOrig                 // %s, %<s (internal: resolved to akStatus or akExtra)
)

// apField is one directive of a compiled format and the literal before it.
type apField struct {
	pre    []byte // literal text before the value
	kind   apKind
	name   string // the directive as written, for Extra
	quoted bool   // the value sits between double quotes
	token  bool   // the value never holds a space
	tfmt   []apTimePart
}

// apacheFormat is a compiled LogFormat. It is immutable.
type apacheFormat struct {
	name      string
	fields    []apField
	tail      []byte // literal after the last field
	minFields int    // the line may end before field i >= minFields
	endTime   bool   // end: times set Time (no begin time is logged)

	fast         bool // the common/combined layout: use fastMatch
	fastVHost    bool // with a "%v:%p " prefix
	fastCombined bool // with referer and user agent

	alts          []*apacheFormat // variants tried in order when a line does not match
	altNeedsVHost bool            // accept this variant only for a plausible vhost prefix
}

func (f *apacheFormat) Name() string { return f.name }

// Splittable reports true: every line is parsed on its own.
func (f *apacheFormat) Splittable() bool { return true }

// compileApacheFormat compiles a LogFormat string. Backslash escapes in
// the literal text are read as mod_log_config reads them (\t, \" and \\),
// so a format copied from an httpd.conf line works as it is.
func compileApacheFormat(name, spec string) (*apacheFormat, error) {
	f := &apacheFormat{name: name}
	var lit []byte
	for i := 0; i < len(spec); {
		c := spec[i]
		switch c {
		case '\\':
			if i+1 >= len(spec) {
				lit = append(lit, c)
				i++
				continue
			}
			switch d := spec[i+1]; d {
			case 'n', 'r':
				return nil, &FormatStringError{Pos: i, Msg: "a line break in a format cannot be read line by line"}
			case 't':
				lit = append(lit, '\t')
			default:
				lit = append(lit, d)
			}
			i += 2
		case '%':
			if i+1 < len(spec) && spec[i+1] == '%' {
				lit = append(lit, '%')
				i += 2
				continue
			}
			fd, next, err := parseApacheDirective(spec, i)
			if err != nil {
				return nil, err
			}
			fd.pre = lit
			lit = nil
			f.fields = append(f.fields, fd)
			i = next
		case '\n', '\r':
			return nil, &FormatStringError{Pos: i, Msg: "a line break in a format cannot be read line by line"}
		default:
			lit = append(lit, c)
			i++
		}
	}
	f.tail = lit
	if len(f.fields) == 0 {
		return nil, &FormatStringError{Pos: 0, Msg: "format has no % directive"}
	}
	resolveApacheFields(f)
	return f, nil
}

// parseApacheDirective parses the directive that starts with the '%' at i
// and returns the index after it.
func parseApacheDirective(spec string, i int) (apField, int, error) {
	var fd apField
	j := i + 1
	arg, hasArg, final := "", false, false
	cut := func() (apField, int, error) {
		return fd, 0, &FormatStringError{Pos: i, Msg: "directive is cut short"}
	}
	for {
		if j >= len(spec) {
			return cut()
		}
		c := spec[j]
		switch {
		case c == '!' || c == ',' || c == '<' || ('0' <= c && c <= '9'):
			j++ // status conditions and the "original request" modifier
			continue
		case c == '>':
			final = true
			j++
			continue
		case c == '{':
			k := strings.IndexByte(spec[j+1:], '}')
			if k < 0 {
				return fd, 0, &FormatStringError{Pos: j, Msg: "unterminated { in directive"}
			}
			arg, hasArg = spec[j+1:j+1+k], true
			j += k + 2
			continue
		case c == '^':
			if j+2 >= len(spec) {
				return cut()
			}
			code := spec[j+1 : j+3]
			j += 3
			fd.name = spec[i:j]
			switch code {
			case "ti", "to": // request and response trailers
				fd.kind = akExtra
			case "FB": // mod_logio: microseconds to the first byte
				fd.kind, fd.token = akExtra, true
			default:
				return fd, 0, &FormatStringError{Pos: i, Msg: "unknown directive %^" + code}
			}
			return fd, j, nil
		}
		j++
		fd.name = spec[i:j]
		fd.kind = akExtra
		switch c {
		case 'a':
			fd.token = true
			if arg != "c" {
				fd.kind = akAddr
			}
		case 'A', 'k', 'L', 'P', 'S':
			fd.token = true
		case 'b':
			fd.kind, fd.token = akBodyCLF, true
		case 'B':
			fd.kind, fd.token = akBody, true
		case 'C', 'e', 'f', 'n', 'R', 'x', 'c':
			// cookies, environment, file name, notes, handler, mod_ssl
		case 'D':
			fd.kind, fd.token = akDurUS, true
		case 'h':
			fd.token = true
			if arg != "c" {
				fd.kind = akHost
			}
		case 'H':
			fd.kind, fd.token = akProto, true
		case 'i':
			switch {
			case strings.EqualFold(arg, "Referer"):
				fd.kind = akReferer
			case strings.EqualFold(arg, "User-Agent"):
				fd.kind = akUserAgent
			case strings.EqualFold(arg, "X-Forwarded-For"):
				fd.kind = akXFF
			case strings.EqualFold(arg, "Range"):
				fd.kind = akRange
			}
		case 'l':
			fd.kind, fd.token = akIdent, true
		case 'm':
			fd.kind, fd.token = akMethod, true
		case 'o':
			if strings.EqualFold(arg, "Content-Range") {
				fd.kind = akContentRange
			}
		case 'p':
			fd.token = true
			switch {
			case arg == "" || strings.EqualFold(arg, "canonical"):
				fd.kind = akPort
			case strings.EqualFold(arg, "local"):
				fd.kind = akPortLocal
			}
		case 'q':
			fd.kind = akQuery
		case 'r':
			fd.kind = akRequest
		case 's':
			fd.kind, fd.token = akStatusOrig, true
			if final {
				fd.kind = akStatus
			}
		case 't':
			if !hasArg || arg == "" {
				fd.kind = akTimeCLF
				break
			}
			argPos := strings.IndexByte(spec[i:], '{') + i + 1
			fd.kind = akTimeFmt
			if rest, ok := strings.CutPrefix(arg, "begin:"); ok {
				arg, argPos = rest, argPos+len("begin:")
			} else if rest, ok := strings.CutPrefix(arg, "end:"); ok {
				arg, argPos, fd.kind = rest, argPos+len("end:"), akTimeEnd
			}
			tf, err := apCompileTimeArg(arg, argPos)
			if err != nil {
				return fd, 0, err
			}
			fd.tfmt = tf
		case 'T':
			fd.token = true
			switch {
			case arg == "" || strings.EqualFold(arg, "s"):
				fd.kind = akDurS
			case strings.EqualFold(arg, "ms"):
				fd.kind = akDurMS
			case strings.EqualFold(arg, "us"):
				fd.kind = akDurUS
			}
		case 'u':
			fd.kind, fd.token = akUser, true
		case 'U':
			fd.kind = akPath
		case 'v':
			fd.kind, fd.token = akVHostCanon, true
		case 'V':
			fd.kind, fd.token = akVHost, true
		case 'X':
			fd.kind, fd.token = akCompletion, true
		case 'I':
			fd.kind, fd.token = akReqBytes, true
		case 'O':
			fd.kind, fd.token = akWire, true
		default:
			return fd, 0, &FormatStringError{Pos: i, Msg: "unknown directive %" + string(rune(c))}
		}
		return fd, j, nil
	}
}

// resolveApacheFields gives each Record field to one directive, marks
// quoted fields and finds where a line may end early.
func resolveApacheFields(f *apacheFormat) {
	hasKind := func(k apKind) bool {
		for _, fd := range f.fields {
			if fd.kind == k {
				return true
			}
		}
		return false
	}
	if hasKind(akAddr) {
		for i := range f.fields {
			if f.fields[i].kind == akHost {
				f.fields[i].kind = akHostName
			}
		}
	}
	if hasKind(akRequest) {
		for i := range f.fields {
			switch f.fields[i].kind {
			case akMethod, akPath, akQuery, akProto:
				f.fields[i].kind = akExtra
			}
		}
	}
	if !hasKind(akStatus) {
		for i := range f.fields {
			if f.fields[i].kind == akStatusOrig {
				f.fields[i].kind = akStatus
				break
			}
		}
	}
	// Within a group of kinds filling the same Record field, the best
	// kind's first directive wins; the others go to Extra.
	groups := [][]apKind{
		{akAddr}, {akHost}, {akStatus}, {akBody, akBodyCLF},
		{akDurUS, akDurMS, akDurS}, {akPort, akPortLocal}, {akVHost, akVHostCanon},
		{akIdent}, {akUser}, {akRequest}, {akMethod}, {akPath}, {akQuery},
		{akProto}, {akWire}, {akReqBytes}, {akReferer}, {akUserAgent}, {akXFF},
		{akRange}, {akContentRange}, {akCompletion},
	}
	for _, g := range groups {
		winner := -1
		for _, k := range g {
			for i := range f.fields {
				if f.fields[i].kind == k {
					winner = i
					break
				}
			}
			if winner >= 0 {
				break
			}
		}
		for i := range f.fields {
			for _, k := range g {
				if f.fields[i].kind == k && i != winner {
					f.fields[i].kind = akExtra
				}
			}
		}
	}
	f.endTime = true
	f.minFields = 0
	for i := range f.fields {
		fd := &f.fields[i]
		if fd.kind == akStatusOrig {
			fd.kind = akExtra
		}
		var next []byte
		if i+1 < len(f.fields) {
			next = f.fields[i+1].pre
		} else {
			next = f.tail
		}
		fd.quoted = len(fd.pre) > 0 && fd.pre[len(fd.pre)-1] == '"' && len(next) > 0 && next[0] == '"'
		if fd.quoted {
			fd.token = false // quotes allow spaces ("%u" with a space)
		}
		switch fd.kind {
		case akTimeCLF, akTimeFmt:
			f.endTime = false
			f.minFields = i + 1
		case akRequest, akMethod, akPath, akQuery, akProto, akStatus,
			akBodyCLF, akBody, akWire, akReqBytes:
			f.minFields = i + 1
		}
	}
	if f.minFields == 0 {
		f.minFields = len(f.fields)
	}
}
