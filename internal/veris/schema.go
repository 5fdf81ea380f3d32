package veris

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/casefile/casefile/schema"
)

// node is the part of a draft-04 schema the VERIS schema uses, enough to
// bring an incident into shape (conform) before it is validated for real.
type node struct {
	Type                 any              `json:"type"`
	Properties           map[string]*node `json:"properties"`
	AdditionalProperties *bool            `json:"additionalProperties"`
	Required             []string         `json:"required"`
	Items                *node            `json:"items"`
	Enum                 []any            `json:"enum"`
	Default              any              `json:"default"`
	MinItems             *int             `json:"minItems"`
	UniqueItems          bool             `json:"uniqueItems"`
	MinProperties        *int             `json:"minProperties"`
	MinLength            *int             `json:"minLength"`
	MaxLength            *int             `json:"maxLength"`
	Pattern              string           `json:"pattern"`
	Minimum              *float64         `json:"minimum"`
	Maximum              *float64         `json:"maximum"`

	re *regexp.Regexp
}

func (n *node) typ() string {
	s, _ := n.Type.(string)
	return s
}

func (n *node) inEnum(v any) bool {
	if n.Enum == nil {
		return true
	}
	for _, e := range n.Enum {
		if e == v {
			return true
		}
	}
	return false
}

func (n *node) enumHas(s string) bool {
	for _, e := range n.Enum {
		if e == s {
			return true
		}
	}
	return false
}

func (n *node) prepare() error {
	if n == nil {
		return nil
	}
	if n.Pattern != "" {
		re, err := regexp.Compile(n.Pattern)
		if err != nil {
			return fmt.Errorf("pattern %q: %w", n.Pattern, err)
		}
		n.re = re
	}
	for _, p := range n.Properties {
		if err := p.prepare(); err != nil {
			return err
		}
	}
	return n.Items.prepare()
}

var (
	schemaOnce sync.Once
	schemaTree *node
	schemaC    *jsonschema.Schema
	schemaErr  error
)

func loadSchema() {
	var root node
	if err := json.Unmarshal(schema.VERIS, &root); err != nil {
		schemaErr = fmt.Errorf("reading the VERIS schema: %w", err)
		return
	}
	if err := root.prepare(); err != nil {
		schemaErr = fmt.Errorf("reading the VERIS schema: %w", err)
		return
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft4
	if err := c.AddResource(schema.VERISURL, bytes.NewReader(schema.VERIS)); err != nil {
		schemaErr = fmt.Errorf("loading the VERIS schema: %w", err)
		return
	}
	s, err := c.Compile(schema.VERISURL)
	if err != nil {
		schemaErr = fmt.Errorf("compiling the VERIS schema: %w", err)
		return
	}
	schemaTree, schemaC = &root, s
}

func verisSchema() (*node, error) {
	schemaOnce.Do(loadSchema)
	return schemaTree, schemaErr
}

// Validate checks an incident against the vendored VERIS schema
// (schema.VERIS, VERIS 1.4.1).
func Validate(incident map[string]any) error {
	schemaOnce.Do(loadSchema)
	if schemaErr != nil {
		return schemaErr
	}
	if err := schemaC.Validate(incident); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("not valid VERIS %s: %s", schema.VERISVersion, firstLeaf(ve))
		}
		return err
	}
	return nil
}

// firstLeaf names the innermost cause of a validation error, the one that
// says what is wrong where.
func firstLeaf(ve *jsonschema.ValidationError) string {
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	loc := ve.InstanceLocation
	if loc == "" {
		loc = "/"
	}
	return loc + ": " + ve.Message
}

// enumValues returns the enumeration of the schema node at the path of
// property names (an items step is taken automatically), or nil.
func enumValues(path ...string) []any {
	n, err := verisSchema()
	if err != nil {
		return nil
	}
	for _, p := range path {
		if n.Items != nil && n.Properties == nil {
			n = n.Items
		}
		n = n.Properties[p]
		if n == nil {
			return nil
		}
	}
	if n.Items != nil {
		n = n.Items
	}
	return n.Enum
}

func inEnumList(list []any, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
