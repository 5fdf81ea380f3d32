package veris

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// IndexPath is the ID mapping in a records repository: which record holds
// which VERIS incident. casefile import veris reads it to recognise
// incidents it imported before and commits it with every import.
const IndexPath = ".casefile/veris-ids.yaml"

// maxIndexSize caps the mapping file: two hundred thousand incidents fit.
const maxIndexSize = 64 << 20

// IndexEntry is one imported incident.
type IndexEntry struct {
	IncidentID string `yaml:"incident_id,omitempty"`
	MasterID   string `yaml:"master_id,omitempty"`
	SHA256     string `yaml:"sha256,omitempty"`
	Record     string `yaml:"record"`
}

// Index is the ID mapping, searchable by incident_id, plus.master_id and
// file digest (compared without regard to case or surrounding space:
// VERIS UUIDs come in both cases).
type Index struct {
	entries []IndexEntry
	by      map[string]int
}

// NewIndex returns an empty mapping.
func NewIndex() *Index { return &Index{by: map[string]int{}} }

type indexFile struct {
	Version   int          `yaml:"version"`
	Incidents []IndexEntry `yaml:"incidents"`
}

// ParseIndex reads the mapping file.
func ParseIndex(data []byte) (*Index, error) {
	if len(data) > maxIndexSize {
		return nil, fmt.Errorf("reading %s: file is %d bytes, more than %d", IndexPath, len(data), maxIndexSize)
	}
	var f indexFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("reading %s: %w", IndexPath, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("reading %s: version %d is not 1", IndexPath, f.Version)
	}
	ix := NewIndex()
	for _, e := range f.Incidents {
		if e.Record == "" {
			return nil, fmt.Errorf("reading %s: an entry has no record", IndexPath)
		}
		ix.Add(e)
	}
	return ix, nil
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Add records an imported incident.
func (ix *Index) Add(e IndexEntry) {
	ix.entries = append(ix.entries, e)
	i := len(ix.entries) - 1
	for _, k := range []string{"i:" + norm(e.IncidentID), "m:" + norm(e.MasterID), "s:" + norm(e.SHA256)} {
		if len(k) > 2 {
			if _, taken := ix.by[k]; !taken {
				ix.by[k] = i
			}
		}
	}
}

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Lookup finds the incident a key names: by incident_id, then
// plus.master_id, then the file's digest. field says which matched.
func (ix *Index) Lookup(k Key) (e IndexEntry, field string, ok bool) {
	for _, c := range []struct{ prefix, value, field string }{
		{"i:", k.IncidentID, "incident_id"}, {"m:", k.MasterID, "plus.master_id"}, {"s:", k.SHA256, "sha256"},
	} {
		if strings.TrimSpace(c.value) == "" {
			continue
		}
		if i, found := ix.by[c.prefix+norm(c.value)]; found {
			return ix.entries[i], c.field, true
		}
	}
	return IndexEntry{}, "", false
}

// Encode writes the mapping file, entries in record ID order, one line
// each, so an import's diff shows exactly what it added.
func (ix *Index) Encode() ([]byte, error) {
	entries := append([]IndexEntry(nil), ix.entries...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Record < entries[j].Record })
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, e := range entries {
		m := mapNode()
		m.Style = yaml.FlowStyle
		for _, kv := range [][2]string{{"incident_id", e.IncidentID}, {"master_id", e.MasterID}, {"sha256", e.SHA256}, {"record", e.Record}} {
			if kv[1] != "" {
				add(m, kv[0], strNode(kv[1]))
			}
		}
		seq.Content = append(seq.Content, m)
	}
	root := mapNode()
	add(root, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"})
	add(root, "incidents", seq)
	root.Content[0].HeadComment = "casefile: the VERIS incidents imported into this log and the records that hold them.\n" +
		"Written by casefile import veris, which reads it to recognise incidents imported before."
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, fmt.Errorf("writing %s: %w", IndexPath, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing %s: %w", IndexPath, err)
	}
	return buf.Bytes(), nil
}

// EntryOf reads the VERIS identity from a record's JSON model
// (source.veris), to rebuild the mapping when the file is missing.
func EntryOf(data map[string]any) (IndexEntry, bool) {
	sv := obj(obj(data, "source"), "veris")
	if sv == nil {
		return IndexEntry{}, false
	}
	id, _ := data["id"].(string)
	e := IndexEntry{
		IncidentID: str(sv, "incident_id"),
		MasterID:   str(obj(obj(sv, "record"), "plus"), "master_id"),
		SHA256:     str(sv, "sha256"),
		Record:     id,
	}
	if id == "" || (e.IncidentID == "" && e.MasterID == "" && e.SHA256 == "") {
		return IndexEntry{}, false
	}
	return e, true
}
