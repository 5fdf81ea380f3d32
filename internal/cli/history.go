package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/custody"
	"github.com/casefile/casefile/internal/store"
)

type historyOptions struct {
	id            string
	format        string
	allowMismatch bool
	platform      []string
}

func newHistoryCmd(env *Env) *cobra.Command {
	var opts historyOptions
	cmd := &cobra.Command{
		Use:   "history ID",
		Short: "The audit trail of one record: who changed what, when, signed by whom",
		Long: `history lists every commit reachable from HEAD that changed the record, newest
first, on every branch that was merged, commits made with plain git included:
time, author, signer and signature status (trust taken from the commit's
parents, as verify does), and a field-level summary of the change against the
previous version.`,
		Example: `  casefile history INC-2026-0007
  casefile history INC-2026-0007 --format json | jq '.[].changes'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			return runHistory(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "text", "output format: text, json")
	f.BoolVar(&opts.allowMismatch, "allow-author-mismatch", false, "as for verify")
	f.StringSliceVar(&opts.platform, "platform-principal", nil, "as for verify")
	return cmd
}

func runHistory(ctx context.Context, env *Env, opts historyOptions) error {
	if !validFormat(opts.format, []string{"text", "json"}) {
		return usageError(fmt.Errorf("unknown format %q (want text or json)", opts.format))
	}
	if err := checkID(opts.id); err != nil {
		return err
	}
	sr, err := store.Open(env.Dir)
	if err != nil {
		return repoError(err)
	}
	// A record is looked up at HEAD; one that is gone (deleted in breach of
	// the rules) still has a history at its usual path.
	p, _, err := findRecord(revReader{sr, "HEAD"}, opts.id)
	var ee *exitError
	if errors.As(err, &ee) && ee.code == ExitUsage {
		p, err = recordPath(opts.id), nil
	}
	if err != nil {
		return err
	}
	repo, err := custody.OpenRepository(sr.Root())
	if err != nil {
		return usageError(err)
	}
	defer repo.Close()
	hist, err := custody.History(ctx, repo, p, custody.HistoryOptions{AllowAuthorMismatch: opts.allowMismatch, PlatformPrincipals: opts.platform})
	if err != nil {
		return err
	}
	if len(hist) == 0 {
		return usageError(fmt.Errorf("no record %s in this repository's history", opts.id))
	}
	if opts.format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(hist)
	}
	for i, e := range hist {
		if i > 0 {
			fmt.Fprintln(env.Stdout)
		}
		writeHistoryEntry(env.Stdout, e)
	}
	return nil
}

func writeHistoryEntry(w io.Writer, e custody.HistoryEntry) {
	fmt.Fprintf(w, "%s  %s  %s <%s>\n", short(e.Commit), e.Committer.When.UTC().Format(time.RFC3339), e.Author.Name, e.Author.Email)
	fmt.Fprintf(w, "  %s\n", e.Subject)
	fmt.Fprintf(w, "  signature: %s\n", signatureText(e.Signature))
	if e.Action == "" {
		fmt.Fprintln(w, "  made with plain git (no Casefile-Action trailer)")
	}
	if e.ParseError != "" {
		fmt.Fprintf(w, "  ! no field summary: %s\n", oneLine(e.ParseError, 200))
	}
	for _, line := range changeLines(e) {
		fmt.Fprintf(w, "    %s\n", line)
	}
}

// signatureText says in a few words what history found about a signature.
func signatureText(s custody.SignatureStatus) string {
	if !s.Signed {
		return "UNSIGNED"
	}
	key := string(s.Format)
	if s.Key != nil {
		key += " " + s.Key.Fingerprint
	}
	switch {
	case s.OK():
		return fmt.Sprintf("good, %s, trusted for %s", key, strings.Join(s.Principals, ", "))
	case s.Rule == custody.RuleAuthorMismatch:
		return fmt.Sprintf("good, %s, but NOT FOR THIS AUTHOR: %s", key, s.Reason)
	case s.Valid:
		return fmt.Sprintf("good, %s, but NOT TRUSTED: %s", key, s.Reason)
	}
	return fmt.Sprintf("BAD (%s): %s", key, s.Reason)
}

var itemPath = regexp.MustCompile(`^(?:(.+)\.)?([a-z_]+)\[(\d+)\]$`)

// changeLines turns field-level changes into the lines of the summary:
// "status: reported → assessed", "+ action 3 (containment)",
// "+ evidence EV-2 sha256:…".
func changeLines(e custody.HistoryEntry) []string {
	switch e.File {
	case custody.FileDeleted:
		return []string{"- record file deleted"}
	case custody.FileAdded:
		var parts []string
		for _, c := range e.Changes {
			if c.Path == "kind" || c.Path == "status" || c.Path == "id" {
				parts = append(parts, c.Path+": "+scalarText(c.New))
			}
		}
		sort.Strings(parts)
		line := "+ record created"
		if len(parts) > 0 {
			line += " (" + strings.Join(parts, ", ") + ")"
		}
		return []string{line}
	}
	var out []string
	for _, c := range e.Changes {
		// A list that appears whole (the first action) is shown item by
		// item, as later additions are.
		if list, ok := c.New.([]any); ok && c.Change == custody.ChangeAdded {
			for i, item := range list {
				out = append(out, changeLine(custody.FieldChange{Path: fmt.Sprintf("%s[%d]", c.Path, i), Change: custody.ChangeAdded, New: item}))
			}
			continue
		}
		out = append(out, changeLine(c))
	}
	return out
}

func changeLine(c custody.FieldChange) string {
	if m := itemPath.FindStringSubmatch(c.Path); m != nil {
		n, _ := strconv.Atoi(m[3])
		name, item := itemName(m[2]), c.New
		sign := "+"
		if c.Change == custody.ChangeRemoved {
			sign, item = "-", c.Old
		}
		of := ""
		if m[1] != "" {
			of = " of " + m[1]
		}
		if c.Change != custody.ChangeChanged {
			return fmt.Sprintf("%s %s%s %s", sign, name, of, itemLabel(m[2], n+1, item))
		}
	}
	switch c.Change {
	case custody.ChangeAdded:
		return fmt.Sprintf("+ %s: %s", c.Path, valueText(c.New))
	case custody.ChangeRemoved:
		return fmt.Sprintf("- %s (was %s)", c.Path, valueText(c.Old))
	}
	return fmt.Sprintf("%s: %s → %s", c.Path, valueText(c.Old), valueText(c.New))
}

// itemName is the singular of a record list's name.
func itemName(list string) string {
	switch list {
	case "actions":
		return "action"
	case "evidence":
		return "evidence"
	case "custody":
		return "custody transfer"
	case "corrective_actions":
		return "corrective action"
	case "notifications":
		return "notification"
	case "regimes":
		return "regime"
	}
	return strings.TrimSuffix(strings.ReplaceAll(list, "_", " "), "s")
}

// itemLabel names a list item by what identifies it best.
func itemLabel(list string, n int, item any) string {
	m, ok := item.(map[string]any)
	if !ok {
		return fmt.Sprintf("%d: %s", n, valueText(item))
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	switch {
	case list == "evidence":
		label := str("id")
		if label == "" {
			label = strconv.Itoa(n)
		}
		if sum := str("sha256"); sum != "" {
			if !strings.HasPrefix(sum, "sha256:") {
				sum = "sha256:" + sum
			}
			label += " " + sum
		}
		if p := str("path"); p != "" {
			label += " " + p
		} else if l := str("location"); l != "" {
			label += " at " + l
		}
		return label
	case str("id") != "":
		return str("id") + " " + oneLine(str("text"), 60)
	case list == "actions":
		return fmt.Sprintf("%d (%s)", n, str("type"))
	case list == "notifications":
		return fmt.Sprintf("%d to %s", n, str("party"))
	case list == "custody":
		return fmt.Sprintf("%d: %s → %s (%s)", n, str("from"), str("to"), str("purpose"))
	}
	return fmt.Sprintf("%d %s", n, valueText(item))
}

// valueText shows a value in a line: scalars as they are, maps and lists
// as compact flow YAML, cut to a readable length.
func valueText(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + valueText(x[k])
		}
		return oneLine("{"+strings.Join(parts, ", ")+"}", 100)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueText(e)
		}
		return oneLine("["+strings.Join(parts, ", ")+"]", 100)
	}
	return scalarText(v)
}

func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return oneLine(x, 80)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return oneLine(fmt.Sprint(v), 80)
}
