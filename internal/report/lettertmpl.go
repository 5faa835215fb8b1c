package report

import (
	"bytes"
	"strconv"
	"text/template"
	"text/template/parse"
)

// letterProgram renders a letter template without text/template's
// reflection: the template's parse tree compiled into closures over
// letterData. It takes the subset of the language the shipped letters
// use (text; {{.Field}} and {{.}}; {{len .X}}; if/else if/else on a
// field, eq, or, and, not; range over .Calls or a list of strings with
// else) and prints strings, numbers and booleans as text/template does.
// compileLetter returns false for anything else, and the letters are
// then rendered by text/template, so a template given with --letter may
// use the whole language. TestLetterProgram checks that both render
// the same bytes.
type letterProgram struct {
	run func(b *bytes.Buffer, d *letterData)
}

// lval is a value during a letter's rendering: one of the kinds below.
type lval struct {
	kind lkind
	s    string
	n    int
	b    bool
	// calls or strs, for a range
	calls []letterCall
	strs  []string
}

type lkind uint8

const (
	kString lkind = iota + 1
	kInt
	kBool
	kCalls
	kStrs
)

func (v lval) truth() bool {
	switch v.kind {
	case kString:
		return v.s != ""
	case kInt:
		return v.n != 0
	case kBool:
		return v.b
	case kCalls:
		return len(v.calls) > 0
	case kStrs:
		return len(v.strs) > 0
	}
	return false
}

// scope is what dot is: the letter, a call of a range, or a string of
// a range.
type lscope struct {
	d    *letterData
	call *letterCall
	str  string
}

type dotKind uint8

const (
	dotLetter dotKind = iota
	dotCall
	dotString
)

// lexpr evaluates to a value of a kind known when compiling.
type lexpr struct {
	kind lkind
	eval func(sc *lscope) lval
}

type lstmt func(b *bytes.Buffer, sc *lscope)

var letterFields = map[string]lexpr{
	"Controller":    strField(func(d *letterData) string { return d.Controller }),
	"Contact":       strField(func(d *letterData) string { return d.Contact }),
	"Region":        strField(func(d *letterData) string { return d.Region }),
	"ID":            strField(func(d *letterData) string { return d.ID }),
	"Level":         strField(func(d *letterData) string { return d.Level }),
	"What":          strField(func(d *letterData) string { return d.What }),
	"FirstExposure": strField(func(d *letterData) string { return d.FirstExposure }),
	"From":          strField(func(d *letterData) string { return d.From }),
	"To":            strField(func(d *letterData) string { return d.To }),
	"Number":        {kInt, func(sc *lscope) lval { return lval{kind: kInt, n: sc.d.Number} }},
	"Child":         {kBool, func(sc *lscope) lval { return lval{kind: kBool, b: sc.d.Child} }},
	"OnGap":         {kBool, func(sc *lscope) lval { return lval{kind: kBool, b: sc.d.OnGap} }},
	"Calls":         {kCalls, func(sc *lscope) lval { return lval{kind: kCalls, calls: sc.d.Calls} }},
	"OtherRegions":  {kStrs, func(sc *lscope) lval { return lval{kind: kStrs, strs: sc.d.OtherRegions} }},
}

func strField(get func(*letterData) string) lexpr {
	return lexpr{kString, func(sc *lscope) lval { return lval{kind: kString, s: get(sc.d)} }}
}

var callFields = map[string]func(c *letterCall) string{
	"Date":   func(c *letterCall) string { return c.Date },
	"CallID": func(c *letterCall) string { return c.CallID },
	"Role":   func(c *letterCall) string { return c.Role },
	"Level":  func(c *letterCall) string { return c.Level },
	"What":   func(c *letterCall) string { return c.What },
}

// compileLetter compiles t, or returns false when it uses more than the
// subset above.
func compileLetter(t *template.Template) (*letterProgram, bool) {
	if t.Tree == nil || t.Root == nil || len(t.Templates()) != 1 {
		return nil, false
	}
	body, ok := compileList(t.Root, dotLetter)
	if !ok {
		return nil, false
	}
	return &letterProgram{run: func(b *bytes.Buffer, d *letterData) {
		sc := lscope{d: d}
		body(b, &sc)
	}}, true
}

func compileList(l *parse.ListNode, dot dotKind) (lstmt, bool) {
	if l == nil {
		return func(*bytes.Buffer, *lscope) {}, true
	}
	var stmts []lstmt
	for _, n := range l.Nodes {
		s, ok := compileNode(n, dot)
		if !ok {
			return nil, false
		}
		stmts = append(stmts, s)
	}
	return func(b *bytes.Buffer, sc *lscope) {
		for _, s := range stmts {
			s(b, sc)
		}
	}, true
}

func compileNode(n parse.Node, dot dotKind) (lstmt, bool) {
	switch n := n.(type) {
	case *parse.TextNode:
		text := string(n.Text)
		return func(b *bytes.Buffer, _ *lscope) { b.WriteString(text) }, true
	case *parse.ActionNode:
		e, ok := compilePipe(n.Pipe, dot)
		if !ok {
			return nil, false
		}
		switch e.kind {
		case kString:
			return func(b *bytes.Buffer, sc *lscope) { b.WriteString(e.eval(sc).s) }, true
		case kInt:
			return func(b *bytes.Buffer, sc *lscope) { b.WriteString(strconv.Itoa(e.eval(sc).n)) }, true
		case kBool:
			return func(b *bytes.Buffer, sc *lscope) { b.WriteString(strconv.FormatBool(e.eval(sc).b)) }, true
		}
		return nil, false // lists print as fmt does: left to text/template
	case *parse.IfNode:
		cond, ok := compilePipe(n.Pipe, dot)
		if !ok {
			return nil, false
		}
		then, ok := compileList(n.List, dot)
		if !ok {
			return nil, false
		}
		els, ok := compileList(n.ElseList, dot)
		if !ok {
			return nil, false
		}
		return func(b *bytes.Buffer, sc *lscope) {
			if cond.eval(sc).truth() {
				then(b, sc)
			} else {
				els(b, sc)
			}
		}, true
	case *parse.RangeNode:
		over, ok := compilePipe(n.Pipe, dot)
		if !ok {
			return nil, false
		}
		els, ok := compileList(n.ElseList, dot)
		if !ok {
			return nil, false
		}
		switch over.kind {
		case kCalls:
			body, ok := compileList(n.List, dotCall)
			if !ok {
				return nil, false
			}
			return func(b *bytes.Buffer, sc *lscope) {
				calls := over.eval(sc).calls
				if len(calls) == 0 {
					els(b, sc)
					return
				}
				for i := range calls {
					inner := lscope{d: sc.d, call: &calls[i]}
					body(b, &inner)
				}
			}, true
		case kStrs:
			body, ok := compileList(n.List, dotString)
			if !ok {
				return nil, false
			}
			return func(b *bytes.Buffer, sc *lscope) {
				strs := over.eval(sc).strs
				if len(strs) == 0 {
					els(b, sc)
					return
				}
				for _, s := range strs {
					inner := lscope{d: sc.d, str: s}
					body(b, &inner)
				}
			}, true
		}
		return nil, false
	}
	return nil, false // with, template, define, break, continue, comments ...
}

// compilePipe compiles a pipeline of one command without variables.
func compilePipe(p *parse.PipeNode, dot dotKind) (lexpr, bool) {
	if p == nil || len(p.Decl) != 0 || p.IsAssign || len(p.Cmds) != 1 {
		return lexpr{}, false
	}
	return compileCmd(p.Cmds[0], dot)
}

func compileCmd(c *parse.CommandNode, dot dotKind) (lexpr, bool) {
	if len(c.Args) == 0 {
		return lexpr{}, false
	}
	if len(c.Args) == 1 {
		return compileArg(c.Args[0], dot)
	}
	fn, ok := c.Args[0].(*parse.IdentifierNode)
	if !ok {
		return lexpr{}, false
	}
	var args []lexpr
	for _, a := range c.Args[1:] {
		e, ok := compileArg(a, dot)
		if !ok {
			return lexpr{}, false
		}
		args = append(args, e)
	}
	switch fn.Ident {
	case "len":
		if len(args) != 1 {
			return lexpr{}, false
		}
		a := args[0]
		switch a.kind {
		case kString:
			return lexpr{kInt, func(sc *lscope) lval { return lval{kind: kInt, n: len(a.eval(sc).s)} }}, true
		case kCalls:
			return lexpr{kInt, func(sc *lscope) lval { return lval{kind: kInt, n: len(a.eval(sc).calls)} }}, true
		case kStrs:
			return lexpr{kInt, func(sc *lscope) lval { return lval{kind: kInt, n: len(a.eval(sc).strs)} }}, true
		}
	case "eq", "ne":
		if len(args) != 2 || args[0].kind != args[1].kind {
			return lexpr{}, false
		}
		a, b, ne := args[0], args[1], fn.Ident == "ne"
		switch a.kind {
		case kString:
			return lexpr{kBool, func(sc *lscope) lval { return lval{kind: kBool, b: (a.eval(sc).s == b.eval(sc).s) != ne} }}, true
		case kInt:
			return lexpr{kBool, func(sc *lscope) lval { return lval{kind: kBool, b: (a.eval(sc).n == b.eval(sc).n) != ne} }}, true
		case kBool:
			return lexpr{kBool, func(sc *lscope) lval { return lval{kind: kBool, b: (a.eval(sc).b == b.eval(sc).b) != ne} }}, true
		}
	case "or", "and":
		// text/template's or and and give an argument, not a bool: only
		// their truth is taken here, so they must be all of one kind
		// (printing them is left to text/template).
		if len(args) < 2 {
			return lexpr{}, false
		}
		for _, a := range args {
			if a.kind != kBool {
				return lexpr{}, false
			}
		}
		or := fn.Ident == "or"
		return lexpr{kBool, func(sc *lscope) lval {
			for _, a := range args {
				if a.eval(sc).b == or {
					return lval{kind: kBool, b: or}
				}
			}
			return lval{kind: kBool, b: !or}
		}}, true
	case "not":
		if len(args) != 1 {
			return lexpr{}, false
		}
		a := args[0]
		return lexpr{kBool, func(sc *lscope) lval { return lval{kind: kBool, b: !a.eval(sc).truth()} }}, true
	}
	return lexpr{}, false
}

func compileArg(n parse.Node, dot dotKind) (lexpr, bool) {
	switch n := n.(type) {
	case *parse.FieldNode:
		if len(n.Ident) != 1 {
			return lexpr{}, false
		}
		name := n.Ident[0]
		switch dot {
		case dotLetter:
			e, ok := letterFields[name]
			return e, ok
		case dotCall:
			get, ok := callFields[name]
			if !ok {
				return lexpr{}, false
			}
			return lexpr{kString, func(sc *lscope) lval { return lval{kind: kString, s: get(sc.call)} }}, true
		}
	case *parse.DotNode:
		if dot == dotString {
			return lexpr{kString, func(sc *lscope) lval { return lval{kind: kString, s: sc.str} }}, true
		}
	case *parse.StringNode:
		v := lval{kind: kString, s: n.Text}
		return lexpr{kString, func(*lscope) lval { return v }}, true
	case *parse.NumberNode:
		if !n.IsInt || n.Int64 != int64(int(n.Int64)) {
			return lexpr{}, false
		}
		v := lval{kind: kInt, n: int(n.Int64)}
		return lexpr{kInt, func(*lscope) lval { return v }}, true
	case *parse.BoolNode:
		v := lval{kind: kBool, b: n.True}
		return lexpr{kBool, func(*lscope) lval { return v }}, true
	case *parse.PipeNode:
		return compilePipe(n, dot)
	}
	return lexpr{}, false
}
