package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/store"
)

type editOptions struct {
	id   string
	sign signFlags
}

func newEditCmd(env *Env) *cobra.Command {
	var opts editOptions
	cmd := &cobra.Command{
		Use:   "edit ID",
		Short: "Edit a record in $EDITOR; re-opens on a validation error, commits on success",
		Long: `edit opens the record as committed in $VISUAL or $EDITOR (default vi). On save
it is checked with the lint rules; on an error the editor opens again with the
findings at the top, as kubectl edit does. Saving it unchanged, or emptying the
file, cancels the edit. The temporary file lives inside .git, never outside the
repository.`,
		Example: `  EDITOR=nano casefile edit INC-2026-0007`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			return runEdit(cmd.Context(), env, opts)
		},
	}
	opts.sign.register(cmd.Flags())
	return cmd
}

const editBanner = "# Edit the record below; lines starting with '# casefile:' are removed.\n" +
	"# Save it unchanged or empty to cancel.\n"

func runEdit(ctx context.Context, env *Env, opts editOptions) error {
	if err := checkID(opts.id); err != nil {
		return err
	}
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	editor := orDefault(env.Getenv("VISUAL"), orDefault(env.Getenv("EDITOR"), "vi"))
	p, original, err := findRecord(revReader{w.repo, "HEAD"}, opts.id)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(w.repo.GitDir(), "casefile-edit-*-"+opts.id+".yaml")
	if err != nil {
		return fmt.Errorf("creating the edit file: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName)

	content := original
	var problems []string
	for {
		if err := os.WriteFile(tmpName, withBanner(content, problems), 0o600); err != nil {
			return err
		}
		if err := runEditor(env, editor, tmpName); err != nil {
			return fmt.Errorf("running editor %s: %w", editor, err)
		}
		edited, err := os.ReadFile(tmpName)
		if err != nil {
			return err
		}
		edited = stripBanner(edited)
		if len(bytes.TrimSpace(edited)) == 0 || bytes.Equal(edited, original) {
			fmt.Fprintln(env.Stderr, "casefile: edit cancelled, nothing changed")
			return nil
		}
		if problems != nil && bytes.Equal(edited, content) {
			return &exitError{ExitFindings, fmt.Errorf("edit abandoned: the record still has errors:\n%s", strings.Join(problems, "\n"))}
		}
		content = edited
		hash, err := w.commitEdited(ctx, p, opts.id, edited)
		var ee *exitError
		if errors.As(err, &ee) && ee.code == ExitFindings {
			problems = w.lastFindings
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "casefile: updated %s in commit %s\n", opts.id, short(hash))
		return nil
	}
}

func runEditor(env *Env, editor, file string) error {
	// $EDITOR may carry arguments ("code --wait").
	parts := strings.Fields(editor)
	return env.Exec(parts[0], append(parts[1:], file)...)
}

func withBanner(content []byte, problems []string) []byte {
	var b bytes.Buffer
	b.WriteString(prefixLines(editBanner))
	if len(problems) > 0 {
		b.WriteString(prefixLines("The record was not saved because of these errors:\n"))
		for _, p := range problems {
			b.WriteString("# casefile:   " + p + "\n")
		}
	}
	b.Write(content)
	return b.Bytes()
}

func prefixLines(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString("# casefile: " + strings.TrimPrefix(l, "# "))
		}
	}
	return b.String()
}

func stripBanner(data []byte) []byte {
	var out [][]byte
	for _, l := range bytes.SplitAfter(data, []byte("\n")) {
		if !bytes.HasPrefix(l, []byte("# casefile:")) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, nil)
}

// commitEdited checks an edited record and commits it under the lock. The
// record must keep its id and kind.
func (w *writer) commitEdited(ctx context.Context, p, id string, data []byte) (string, error) {
	w.lastFindings = nil
	doc, err := record.Parse(filepath.Base(p), data)
	if err != nil {
		var prob *record.Problem
		if errors.As(err, &prob) {
			w.lastFindings = []string{prob.Error()}
			return "", &exitError{ExitFindings, err}
		}
		return "", err
	}
	if got, _ := doc.Value("/id").(string); got != id {
		w.lastFindings = []string{fmt.Sprintf("id must stay %s (records are never renamed)", id)}
		return "", &exitError{ExitFindings, errors.New(w.lastFindings[0])}
	}
	var hash string
	err = w.repo.WithLock(ctx, func(tx *store.Tx) error {
		_, current, err := findRecord(tx, id)
		if err != nil {
			return err
		}
		old, err := record.Parse(p, current)
		if err != nil {
			return err
		}
		if old.Value("/kind") != doc.Value("/kind") {
			w.lastFindings = []string{"kind cannot change: the kind is fixed when a record is filed"}
			return &exitError{ExitFindings, errors.New(w.lastFindings[0])}
		}
		doc.Path = p
		hash, err = w.commitDoc(ctx, tx, p, doc, change{id: id, verb: "edit", action: "edit"})
		return err
	})
	return hash, repoError(err)
}
