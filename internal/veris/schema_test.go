package veris_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/casefile/casefile/schema"
)

var (
	schemaOnce sync.Once
	schemaC    *jsonschema.Schema
	schemaErr  error
)

// validate checks an exported incident with a validator compiled here,
// apart from the one Export uses, against the vendored VERIS schema.
func validate(t testing.TB, incident map[string]any) {
	t.Helper()
	schemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft4
		if schemaErr = c.AddResource("verisc-merged.json", bytes.NewReader(schema.VERIS)); schemaErr == nil {
			schemaC, schemaErr = c.Compile("verisc-merged.json")
		}
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	// Validate what a consumer reads: the JSON text, decoded afresh.
	data, err := json.Marshal(incident)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if err := schemaC.Validate(v); err != nil {
		t.Errorf("export does not validate against VERIS %s: %#v", schema.VERISVersion, err)
	}
}

// TestVendoredSchema: the vendored file is the draft-04 VERIS 1.4.1
// schema, with its licence beside it.
func TestVendoredSchema(t *testing.T) {
	var s struct {
		Schema      string `json:"$schema"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(schema.VERIS, &s); err != nil {
		t.Fatal(err)
	}
	if s.Schema != "http://json-schema.org/draft-04/schema#" {
		t.Errorf("$schema = %q, want draft-04", s.Schema)
	}
	if !strings.Contains(s.Description, schema.VERISVersion) {
		t.Errorf("description %q does not name VERIS %s", s.Description, schema.VERISVersion)
	}
}
