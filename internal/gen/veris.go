package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// VERIS writes n VERIS incident files to dir, made from the *.json files in
// src (for example the VERIS Community Database's data/json): file i is
// source file i mod len(src) with a new incident_id (and plus.master_id
// where the source has one), so that every file is a distinct incident to
// an importer. The same seed gives the same files.
func VERIS(dir, src string, n int, seed uint64) error {
	names, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("gen: no VERIS files (*.json) in %s", src)
	}
	sort.Strings(names)
	sources := make([]map[string]any, len(names))
	for i, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &sources[i]); err != nil {
			return fmt.Errorf("gen: %s: %w", name, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 0x7e41))
	for i := range n {
		inc := sources[i%len(sources)]
		id := uuid(r)
		inc["incident_id"] = id
		if plus, ok := inc["plus"].(map[string]any); ok {
			if _, ok := plus["master_id"]; ok {
				plus["master_id"] = uuid(r)
			}
		}
		data, err := json.MarshalIndent(inc, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, id+".json"), append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// uuid draws a version 4 UUID, upper case as VCDB writes most of them.
func uuid(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]))
}
