package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/store"
)

type evidenceVerifyOptions struct {
	id     string
	format string
}

func newEvidenceVerifyCmd(env *Env) *cobra.Command {
	var opts evidenceVerifyOptions
	cmd := &cobra.Command{
		Use:   "verify [ID]",
		Short: "Re-hash evidence files in the work tree against their recorded sha256 and size",
		Long: `verify re-hashes (streamed) every evidence file of the record, or of every
record at HEAD, as it is in the work tree, and compares it with the sha256 and
size the record states. Evidence kept elsewhere (location only) is listed as
external. casefile verify checks the committed files as part of the chain of
custody; this checks the copy you are about to hand over.

Exit status: 0 all match, 1 a file is missing or differs.`,
		Example: `  casefile evidence verify INC-2026-0007
  casefile evidence verify --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.id = args[0]
			}
			return runEvidenceVerify(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: text, json")
	return cmd
}

// evidenceCheck is the outcome for one evidence item.
type evidenceCheck struct {
	Record   string `json:"record"`
	Evidence string `json:"evidence"`
	Path     string `json:"path,omitempty"`
	Location string `json:"location,omitempty"`
	Status   string `json:"status"` // ok, mismatch, missing, external
	SHA256   string `json:"sha256,omitempty"`
	Size     int64  `json:"size,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func runEvidenceVerify(_ context.Context, env *Env, opts evidenceVerifyOptions) error {
	if !validFormat(opts.format, []string{"text", "json"}) {
		return usageError(fmt.Errorf("unknown format %q (want text or json)", opts.format))
	}
	repo, err := store.Open(env.Dir)
	if err != nil {
		return repoError(err)
	}
	head := revReader{repo, "HEAD"}
	var paths []string
	if opts.id != "" {
		p, _, err := findRecord(head, opts.id)
		if err != nil {
			return err
		}
		paths = []string{p}
	} else if paths, err = head.ListFiles(config.RecordsDir); err != nil {
		return err
	}
	checks := []evidenceCheck{}
	bad := 0
	for _, p := range paths {
		if !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml") {
			continue
		}
		data, err := head.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := record.Parse(p, data)
		if err != nil {
			return err
		}
		r, err := doc.Record()
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		for _, ev := range r.Evidence {
			c := checkEvidenceFile(repo.Root(), r.ID, ev)
			if c.Status == "mismatch" || c.Status == "missing" {
				bad++
			}
			checks = append(checks, c)
		}
	}
	if opts.format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(checks); err != nil {
			return err
		}
	} else {
		for _, c := range checks {
			line := fmt.Sprintf("%s %s %s: %s", c.Record, c.Evidence, orDefault(c.Path, c.Location), c.Status)
			if c.Reason != "" {
				line += " (" + c.Reason + ")"
			}
			fmt.Fprintln(env.Stdout, line)
		}
		fmt.Fprintf(env.Stderr, "casefile evidence verify: %d %s checked, %d bad\n", len(checks), plural(len(checks), "item", "items"), bad)
	}
	if bad > 0 {
		return errFindings
	}
	return nil
}

func checkEvidenceFile(root, id string, ev record.Evidence) evidenceCheck {
	c := evidenceCheck{Record: id, Evidence: ev.ID, Path: ev.Path, Location: ev.Location}
	if ev.Path == "" {
		c.Status, c.Reason = "external", "kept elsewhere; re-hash it where it is"
		return c
	}
	if err := store.CheckPath(ev.Path); err != nil {
		c.Status, c.Reason = "missing", err.Error()
		return c
	}
	sum, size, err := hashFile(filepath.Join(root, filepath.FromSlash(ev.Path)))
	c.SHA256, c.Size = sum, size
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Status, c.Reason = "missing", "no such file in the work tree"
	case err != nil:
		c.Status, c.Reason = "missing", err.Error()
	case sum != strings.TrimPrefix(ev.SHA256, "sha256:"):
		c.Status, c.Reason = "mismatch", fmt.Sprintf("sha256 is %s, the record states %s", sum, ev.SHA256)
	case ev.Size != 0 && size != ev.Size:
		c.Status, c.Reason = "mismatch", fmt.Sprintf("size is %d bytes, the record states %d", size, ev.Size)
	default:
		c.Status = "ok"
	}
	return c
}
