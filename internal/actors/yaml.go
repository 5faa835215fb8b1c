package actors

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseYAML reads an actors file in YAML: a mapping with the key actors
// holding a sequence of entries (a bare sequence is accepted too). name
// is used in errors.
func ParseYAML(data []byte, name string) (*Directory, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(name, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{Path: name, Err: ErrNoEntries}
	}
	root := resolve(doc.Content[0])
	list := root
	if root.Kind == yaml.MappingNode {
		list = nil
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], resolve(root.Content[i+1])
			if k.Value != "actors" {
				return nil, &Error{Path: name, Line: k.Line, Err: ErrUnknownField}
			}
			if list != nil {
				return nil, &Error{Path: name, Line: k.Line, Err: ErrDuplicate}
			}
			list = v
		}
		if list == nil {
			return nil, &Error{Path: name, Line: root.Line, Err: ErrNoEntries}
		}
	}
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return nil, &Error{Path: name, Line: list.Line, Err: ErrNoEntries}
	}
	if list.Kind != yaml.SequenceNode {
		return nil, &Error{Path: name, Line: list.Line, Err: fmt.Errorf("%w: actors must be a list of entries", ErrStructure)}
	}
	raws := make([]raw, 0, len(list.Content))
	lines := make([]int, 0, len(list.Content))
	for i, n := range list.Content {
		n = resolve(n)
		fail := func(line int, err error) (*Directory, error) {
			return nil, &Error{Path: name, Entry: i + 1, Line: line, Err: err}
		}
		if n.Kind != yaml.MappingNode {
			return fail(n.Line, fmt.Errorf("%w: an entry must be a mapping", ErrStructure))
		}
		var r raw
		seen := map[string]bool{}
		for j := 0; j+1 < len(n.Content); j += 2 {
			k, v := n.Content[j], resolve(n.Content[j+1])
			if seen[k.Value] {
				return fail(k.Line, fmt.Errorf("%w: %s", ErrDuplicate, fieldName(k.Value)))
			}
			seen[k.Value] = true
			var err error
			switch k.Value {
			case "label":
				r.label, err = scalar(v)
			case "category":
				r.category, err = scalar(v)
			case "note":
				_, err = scalar(v)
			case "cidrs":
				r.cidrs, err = values(v, splitCIDRs)
			case "user_agents":
				r.uas, err = values(v, func(s string) []string { return []string{s} })
			default:
				return fail(k.Line, fmt.Errorf("%w: %s", ErrUnknownField, fieldName(k.Value)))
			}
			if err != nil {
				return fail(v.Line, fmt.Errorf("%s: %w", k.Value, err))
			}
		}
		raws = append(raws, r)
		lines = append(lines, n.Line)
	}
	return build(name, raws, lines)
}

// fieldName returns a field name fit for an error message: the known
// names as they are, anything else only by its length (a mistyped key
// could be a value pasted in the wrong place).
func fieldName(k string) string {
	switch k {
	case "label", "category", "note", "cidrs", "user_agents":
		return k
	}
	if len(k) <= 20 && strings.Trim(k, "abcdefghijklmnopqrstuvwxyz_") == "" {
		return strconv.Quote(k)
	}
	return "(" + strconv.Itoa(len(k)) + " bytes)"
}

// resolve follows aliases, a bounded number of times.
func resolve(n *yaml.Node) *yaml.Node {
	for range 8 {
		if n.Kind != yaml.AliasNode || n.Alias == nil {
			break
		}
		n = n.Alias
	}
	return n
}

func scalar(n *yaml.Node) (string, error) {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return "", nil
	case n.Kind == yaml.ScalarNode:
		return n.Value, nil
	}
	return "", fmt.Errorf("%w: want a single value", ErrStructure)
}

// values reads a scalar (split by split) or a sequence of scalars.
func values(n *yaml.Node, split func(string) []string) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		return split(n.Value), nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			c = resolve(c)
			if c.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%w: list items must be single values", ErrStructure)
			}
			if c.Tag == "!!null" {
				continue
			}
			out = append(out, split(c.Value)...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: want a list", ErrStructure)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlError turns a YAML syntax error into an Error with its line. The
// YAML parser's messages describe the syntax, not the values.
func yamlError(name string, err error) error {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return &Error{Path: name, Line: line, Err: fmt.Errorf("%w: %s", ErrSyntax, msg)}
}
