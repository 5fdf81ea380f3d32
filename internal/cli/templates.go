package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/render"
	"github.com/casefile/casefile/internal/store"
)

func newTemplatesCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "templates",
		Short: "List and show the report, communication and record templates",
		Long: `templates lists the templates casefile render and casefile new use: the
built-in ones and those of the records repository's templates/ folder, which
override built-in ones of the same name or add new ones:

  templates/comms/NAME.md.tmpl     Markdown (Go text/template)
  templates/comms/NAME.html.tmpl   HTML (Go html/template)
  templates/comms/_common.FORMAT.tmpl  blocks shared by the templates of a format
  templates/records/KIND.yaml      the skeleton casefile new starts a record from`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError(errors.New("want a subcommand: list or show NAME"))
		},
	}
	var listFormat string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the templates with their source (built-in or repository file)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTemplatesList(cmd.Context(), env, listFormat)
		},
	}
	list.Flags().StringVar(&listFormat, "format", "table", "output format: table, json")
	var showFormat string
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Print a template's text (a repository's override if it has one)",
		Example: `  casefile templates show briefing
  casefile templates show authority-notice --format html
  casefile templates show records/incident > templates/records/incident.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTemplatesShow(cmd.Context(), env, args[0], showFormat)
		},
	}
	show.Flags().StringVar(&showFormat, "format", render.FormatMarkdown, "which file of the template: md, html (record skeletons are yaml)")
	cmd.AddCommand(list, show)
	return cmd
}

// templateLibrary is the template library of the records repository that
// contains the working directory: its git work tree root, else the folder
// holding casefile.yaml; only the built-in templates outside one.
func (env *Env) templateLibrary() (*render.Library, error) {
	root := ""
	if repo, err := store.Open(env.Dir); err == nil {
		root = repo.Root()
	} else if r, ferr := config.FindRoot(env.Dir); ferr == nil {
		root = r
	}
	if root == "" {
		return render.NewLibrary("", ""), nil
	}
	return render.NewLibrary(root, env.rel(root)), nil
}

// templateRow is one template in list output.
type templateRow struct {
	Name        string `json:"name"`
	Format      string `json:"format"`
	Source      string `json:"source"`
	Path        string `json:"path"`
	Overrides   bool   `json:"overrides_builtin,omitempty"`
	Description string `json:"description,omitempty"`
	Error       string `json:"error,omitempty"`
}

func runTemplatesList(_ context.Context, env *Env, format string) error {
	if !validFormat(format, []string{"table", "json"}) {
		return usageError(fmt.Errorf("unknown format %q (want table or json)", format))
	}
	lib, err := env.templateLibrary()
	if err != nil {
		return err
	}
	list, warnings := lib.List()
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "casefile: warning: %v\n", w)
	}
	rows := make([]templateRow, 0, len(list))
	for _, s := range list {
		row := templateRow{Name: s.Name, Format: s.Format, Source: s.Origin(), Path: s.Path, Overrides: s.Overrides, Description: s.Description}
		if s.Err != nil {
			row.Error = s.Err.Error()
			fmt.Fprintf(env.Stderr, "casefile: warning: %s: %v\n", s.Path, s.Err)
		}
		rows = append(rows, row)
	}
	if format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFORMAT\tSOURCE\tDESCRIPTION")
	for _, r := range rows {
		src := r.Source
		if !strings.EqualFold(r.Source, "built-in") {
			src = r.Path
			if r.Overrides {
				src += " (overrides built-in)"
			}
			if r.Error != "" {
				src += " (REFUSED)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Format, src, r.Description)
	}
	return tw.Flush()
}

func runTemplatesShow(_ context.Context, env *Env, name, format string) error {
	if err := render.ValidName(name); err != nil {
		return usageError(err)
	}
	if !strings.HasPrefix(name, render.SkeletonPrefix) && !validFormat(format, render.Formats) {
		return usageError(fmt.Errorf("unknown format %q (want md or html)", format))
	}
	lib, err := env.templateLibrary()
	if err != nil {
		return err
	}
	src, err := lib.Lookup(name, format)
	if err != nil {
		return usageError(err)
	}
	fmt.Fprintf(env.Stderr, "casefile: %s (%s)\n", src.Path, src.Origin())
	_, err = env.Stdout.Write(src.Text)
	return err
}
