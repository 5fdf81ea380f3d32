package record

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Step is one segment of a field path: a mapping key, a sequence index, or
// an append to a sequence.
type Step struct {
	Key    string
	Index  int
	Append bool
	IsItem bool
}

// ParsePath parses a field path such as assessment.severity,
// actions[2].text or tags[+] (append).
func ParsePath(p string) ([]Step, error) {
	if p == "" {
		return nil, errors.New("empty field path")
	}
	var steps []Step
	for _, seg := range strings.Split(p, ".") {
		name, rest, bracket := strings.Cut(seg, "[")
		if name == "" && (len(steps) == 0 || !bracket) {
			return nil, fmt.Errorf("field path %q: empty field name", p)
		}
		if bracket && rest == "" {
			return nil, fmt.Errorf("field path %q: missing ]", p)
		}
		if name != "" {
			if !validKey(name) {
				return nil, fmt.Errorf("field path %q: %q is not a field name", p, name)
			}
			steps = append(steps, Step{Key: name})
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			if !ok {
				return nil, fmt.Errorf("field path %q: missing ]", p)
			}
			switch {
			case idx == "+":
				steps = append(steps, Step{IsItem: true, Append: true})
			default:
				i, err := strconv.Atoi(idx)
				if err != nil || i < 0 {
					return nil, fmt.Errorf("field path %q: index %q is not a number, or + to append", p, idx)
				}
				steps = append(steps, Step{IsItem: true, Index: i})
			}
			if after != "" && !strings.HasPrefix(after, "[") {
				return nil, fmt.Errorf("field path %q: unexpected %q after ]", p, after)
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	for i, s := range steps {
		if s.Append && i != len(steps)-1 && steps[i+1].IsItem {
			return nil, fmt.Errorf("field path %q: [+] must be followed by a field or end the path", p)
		}
	}
	return steps, nil
}

func validKey(s string) bool {
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// ParseValue parses the VALUE of PATH=VALUE as one YAML flow value, so
// `true`, `12`, `[a, b]` and `{at: …, by: …}` work and anything else is a
// string. It refuses what a record may not hold (anchors, tags, several
// documents).
func ParseValue(s string) (*yaml.Node, error) {
	if strings.TrimSpace(s) == "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, nil
	}
	doc, err := Parse("VALUE", []byte("v: "+s+"\n"))
	if err != nil {
		// Not a single YAML value: take the text as a string.
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, nil
	}
	v := doc.Root().Content[1]
	clearPositions(v)
	return v, nil
}

// NodeOf encodes a Go value (a typed block such as Action) as a YAML node.
func NodeOf(v any) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding value: %w", err)
	}
	return &n, nil
}

func clearPositions(n *yaml.Node) {
	n.Line, n.Column = 0, 0
	for _, c := range n.Content {
		clearPositions(c)
	}
}

// Set puts value at the field path, creating mappings and appending
// sequence items on the way, then refreshes the JSON model. Setting a value
// that is nil removes the field.
func (d *Doc) Set(path string, value *yaml.Node) error {
	steps, err := ParsePath(path)
	if err != nil {
		return err
	}
	if err := setAt(d.Root(), steps, value, path); err != nil {
		return err
	}
	return d.refresh()
}

// Append adds value as the last item of the sequence at path.
func (d *Doc) Append(path string, value *yaml.Node) error {
	return d.Set(path+"[+]", value)
}

// Unset removes the field at path; removing what is not there is no error.
func (d *Doc) Unset(path string) error {
	return d.Set(path, nil)
}

// refresh rebuilds the JSON model after the node tree changed.
func (d *Doc) refresh() error {
	v, err := toJSON(d.Path, d.Root(), 0)
	if err != nil {
		return err
	}
	d.Data = v.(map[string]any)
	return nil
}

func setAt(n *yaml.Node, steps []Step, value *yaml.Node, path string) error {
	s := steps[0]
	last := len(steps) == 1
	if !s.IsItem {
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: %s is not inside a mapping", path, s.Key)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value != s.Key {
				continue
			}
			if last {
				if value == nil {
					n.Content = append(n.Content[:i], n.Content[i+2:]...)
					return nil
				}
				keepComments(n.Content[i+1], value)
				n.Content[i+1] = value
				return nil
			}
			if n.Content[i+1].ShortTag() == "!!null" {
				n.Content[i+1] = emptyFor(steps[1])
			}
			return setAt(n.Content[i+1], steps[1:], value, path)
		}
		if value == nil {
			return nil
		}
		key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.Key}
		child := value
		if !last {
			child = emptyFor(steps[1])
		}
		n.Content = append(n.Content, key, child)
		if last {
			return nil
		}
		return setAt(child, steps[1:], value, path)
	}
	if n.Kind != yaml.SequenceNode {
		return fmt.Errorf("%s: not a list", path)
	}
	if s.Append {
		if value == nil {
			return fmt.Errorf("%s: cannot remove an item that is not there", path)
		}
		child := value
		if !last {
			child = emptyFor(steps[1])
		}
		n.Content = append(n.Content, child)
		if last {
			return nil
		}
		return setAt(child, steps[1:], value, path)
	}
	if s.Index >= len(n.Content) {
		return fmt.Errorf("%s: index %d is past the end of a list of %d", path, s.Index, len(n.Content))
	}
	if last {
		if value == nil {
			n.Content = append(n.Content[:s.Index], n.Content[s.Index+1:]...)
			return nil
		}
		keepComments(n.Content[s.Index], value)
		n.Content[s.Index] = value
		return nil
	}
	return setAt(n.Content[s.Index], steps[1:], value, path)
}

func emptyFor(next Step) *yaml.Node {
	if next.IsItem {
		return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
}

// keepComments moves the comments of a replaced node to its replacement, so
// editing a value does not drop the note someone wrote beside it.
func keepComments(old, repl *yaml.Node) {
	if repl.HeadComment == "" {
		repl.HeadComment = old.HeadComment
	}
	if repl.LineComment == "" {
		repl.LineComment = old.LineComment
	}
	if repl.FootComment == "" {
		repl.FootComment = old.FootComment
	}
}
