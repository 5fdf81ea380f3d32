package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Formats lists the output formats of Write.
var Formats = []string{"text", "json", "github", "sarif"}

// Write prints the result in the given format.
func Write(w io.Writer, format string, res *Result, version string) error {
	switch format {
	case "text", "":
		for _, f := range res.Findings {
			if _, err := fmt.Fprintln(w, f.String()); err != nil {
				return err
			}
		}
		return nil
	case "json":
		out := struct {
			Files    int       `json:"files"`
			Errors   int       `json:"errors"`
			Warnings int       `json:"warnings"`
			Findings []Finding `json:"findings"`
		}{res.Files, res.Count(Error), res.Count(Warning), res.Findings}
		if out.Findings == nil {
			out.Findings = []Finding{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "github":
		for _, f := range res.Findings {
			// Workflow commands: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions
			if _, err := fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", f.Severity,
				ghProperty(filepath.ToSlash(f.File)), f.Line, f.Column, ghProperty(f.Rule), ghData(f.Message)); err != nil {
				return err
			}
		}
		return nil
	case "sarif":
		return writeSARIF(w, res, version)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeSARIF writes SARIF 2.1.0, the format code-scanning tools ingest.
func writeSARIF(w io.Writer, res *Result, version string) error {
	type msg struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID                   string            `json:"id"`
		ShortDescription     msg               `json:"shortDescription"`
		DefaultConfiguration map[string]string `json:"defaultConfiguration"`
	}
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
	}
	type physical struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region region `json:"region"`
	}
	type location struct {
		PhysicalLocation physical `json:"physicalLocation"`
	}
	type result struct {
		RuleID    string     `json:"ruleId"`
		RuleIndex int        `json:"ruleIndex"`
		Level     string     `json:"level"`
		Message   msg        `json:"message"`
		Locations []location `json:"locations"`
	}
	rules := make([]rule, len(Rules))
	index := map[string]int{}
	for i, r := range Rules {
		rules[i] = rule{ID: r.ID, ShortDescription: msg{r.Doc}, DefaultConfiguration: map[string]string{"level": string(r.Severity)}}
		index[r.ID] = i
	}
	results := make([]result, 0, len(res.Findings))
	for _, f := range res.Findings {
		var loc location
		loc.PhysicalLocation.ArtifactLocation.URI = filepath.ToSlash(f.File)
		loc.PhysicalLocation.Region = region{f.Line, f.Column}
		results = append(results, result{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: string(f.Severity),
			Message: msg{f.Message}, Locations: []location{loc},
		})
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name":           "casefile",
				"version":        version,
				"informationUri": "https://github.com/casefile/casefile",
				"rules":          rules,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
