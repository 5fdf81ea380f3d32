package gen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestVERIS: the generated VERIS files are the source incidents with IDs of
// their own, distinct and stable for a seed.
func TestVERIS(t *testing.T) {
	src := t.TempDir()
	for i, text := range []string{
		`{"incident_id": "A", "summary": "one", "plus": {"master_id": "M"}}`,
		`{"incident_id": "B", "summary": "two"}`,
	} {
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("%d.json", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(dir string) map[string]map[string]any {
		names, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		out := map[string]map[string]any{}
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			out[filepath.Base(n)] = m
		}
		return out
	}
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := VERIS(dir, src, 5, 9); err != nil {
			t.Fatal(err)
		}
	}
	got := read(a)
	if len(got) != 5 || !reflect.DeepEqual(got, read(b)) {
		t.Fatalf("%d files, or not the same for one seed", len(got))
	}
	masters := map[any]bool{}
	summaries := map[any]int{}
	for name, m := range got {
		if name != m["incident_id"].(string)+".json" {
			t.Errorf("%s holds incident_id %v", name, m["incident_id"])
		}
		summaries[m["summary"]]++
		if plus, ok := m["plus"].(map[string]any); ok {
			if plus["master_id"] == "M" || masters[plus["master_id"]] {
				t.Errorf("%s: master_id %v not new", name, plus["master_id"])
			}
			masters[plus["master_id"]] = true
		}
	}
	if summaries["one"] != 3 || summaries["two"] != 2 {
		t.Errorf("summaries %v, want one ×3 and two ×2", summaries)
	}
}
