package record

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"

	"github.com/casefile/casefile/templates"
)

// Skeleton is what a new record starts from: the fields a reporter gives.
type Skeleton struct {
	ID          string
	Kind        string
	Title       string
	TLP         string
	ReportedAt  string
	Reporter    string
	Channel     string
	OccurredAt  string
	DetectedAt  string
	Description string
	Scenario    string // drills only
	Affected    []AffectedList
}

// AffectedList is one list of the affected: block, e.g. systems.
type AffectedList struct {
	Name  string
	Items []string
}

// quote renders a value as a YAML flow scalar or sequence, so that no user
// text can change the structure of a rendered skeleton.
func quote(v any) (string, error) {
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return "", err
	}
	if n.Kind == yaml.SequenceNode {
		n.Style = yaml.FlowStyle
	}
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "\n") {
		n.Style = yaml.DoubleQuotedStyle
	}
	out, err := yaml.Marshal(n)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}

var skeletonFuncs = template.FuncMap{"yaml": quote}

// Render fills the built-in skeleton of s.Kind (templates/records/<kind>.yaml)
// and parses the result, so the caller gets a document in canonical form.
func (s Skeleton) Render() (*Doc, error) { return s.RenderFrom(nil) }

// RenderFrom is Render with a records repository's templates folder:
// when override holds records/<kind>.yaml, that file replaces the built-in
// skeleton (errors then name templates/records/<kind>.yaml); a nil override
// or one without the file takes the built-in skeleton. Any other error
// reading the override (a refused symbolic link, say) is returned, never
// silently replaced by the built-in one.
func (s Skeleton) RenderFrom(override fs.FS) (*Doc, error) {
	name := "records/" + s.Kind + ".yaml"
	tmplName := s.Kind + ".yaml"
	var src []byte
	var err error
	if override != nil {
		src, err = fs.ReadFile(override, name)
		switch {
		case err == nil:
			tmplName = "templates/" + name
		case errors.Is(err, fs.ErrNotExist):
			src = nil
		default:
			return nil, fmt.Errorf("reading skeleton templates/%s: %w", name, err)
		}
	}
	if src == nil {
		if src, err = templates.Records.ReadFile(name); err != nil {
			return nil, fmt.Errorf("no skeleton for kind %q", s.Kind)
		}
	}
	t, err := template.New(tmplName).Funcs(skeletonFuncs).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parsing skeleton %s: %w", s.Kind, err)
	}
	if s.TLP == "" {
		s.TLP = "amber"
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, s); err != nil {
		return nil, fmt.Errorf("rendering skeleton %s: %w", s.Kind, err)
	}
	doc, err := Parse(s.ID+".yaml", buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("rendered skeleton %s is not valid YAML: %w", s.Kind, err)
	}
	return doc, nil
}
