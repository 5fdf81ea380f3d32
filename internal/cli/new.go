package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/render"
	"github.com/casefile/casefile/internal/store"
)

type newOptions struct {
	kind        string
	title       string
	description string
	reporter    string
	channel     string
	occurred    string
	detected    string
	tlp         string
	scenario    string
	fromFile    string
	systems     []string
	processes   []string
	facilities  []string
	assets      []string
	sign        signFlags
	changed     func(flag string) bool
}

func newNewCmd(env *Env) *cobra.Command {
	var opts newOptions
	cmd := &cobra.Command{
		Use:   "new KIND",
		Short: "Report an event, weakness, incident or drill (one signed commit; prints the new ID)",
		Long: `new files a report as a new record and commits it, signed. KIND is event,
weakness, incident or drill. Fields come from flags, from a YAML file (--from-file,
- for stdin) holding any record fields, or, on a terminal, from prompts for what
is missing. The reporter defaults to git config user.email and the report time
to now.`,
		Example: `  casefile new event --title "Phishing mail reported" --description "Alice got a fake invoice" --channel email
  casefile new incident --from-file report.yaml
  casefile new drill --title "Ransomware tabletop" --scenario "File server encrypted on a Friday" --description "Annual exercise"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.kind = args[0]
			opts.changed = func(name string) bool { return cmd.Flags().Changed(name) }
			return runNew(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.title, "title", "", "one-line title")
	f.StringVar(&opts.description, "description", "", "what happened, as reported")
	f.StringVar(&opts.reporter, "reporter", "", "who reported it (default: git config user.email)")
	f.StringVar(&opts.channel, "channel", "", "how it was reported: email, phone, web-form, chat, in-person, ticket, monitoring, third-party, other")
	f.StringVar(&opts.occurred, "occurred", "", "when it happened (RFC 3339, or a partial date)")
	f.StringVar(&opts.detected, "detected", "", "when it was noticed")
	f.StringVar(&opts.tlp, "tlp", "amber", "TLP label: clear, green, amber, amber+strict, red")
	f.StringVar(&opts.scenario, "scenario", "", "the exercise scenario (drills)")
	f.StringVar(&opts.fromFile, "from-file", "", "read record fields from a YAML file (- for stdin)")
	f.StringSliceVar(&opts.systems, "systems", nil, "affected systems (comma-separated)")
	f.StringSliceVar(&opts.processes, "processes", nil, "affected processes")
	f.StringSliceVar(&opts.facilities, "facilities", nil, "affected facilities")
	f.StringSliceVar(&opts.assets, "assets", nil, "affected assets")
	opts.sign.register(f)
	return cmd
}

func runNew(ctx context.Context, env *Env, opts newOptions) error {
	if !validFormat(opts.kind, record.Kinds) {
		return usageError(fmt.Errorf("unknown kind %q (want %s)", opts.kind, strings.Join(record.Kinds, ", ")))
	}
	var base *record.Doc
	if opts.fromFile != "" {
		var err error
		if base, err = readFieldsFile(env, opts.fromFile); err != nil {
			return err
		}
	}
	if err := promptMissing(env, &opts, base); err != nil {
		return err
	}
	w, err := env.openWriter(opts.sign)
	if err != nil {
		return err
	}
	if opts.reporter == "" {
		opts.reporter = w.userEmail()
	}
	var id, p, hash string
	err = w.repo.WithLock(ctx, func(tx *store.Tx) error {
		if id, err = w.nextID(tx, opts.kind); err != nil {
			return err
		}
		p = recordPath(id)
		doc, err := buildNew(w, opts, id, base)
		if err != nil {
			return err
		}
		verb := "report"
		if opts.kind == record.KindDrill {
			verb = "plan drill"
		}
		title, _ := doc.Value("/title").(string)
		hash, err = w.commitDoc(ctx, tx, p, doc, change{id: id, verb: verb, summary: title, action: "create"})
		return err
	})
	if err != nil {
		return repoError(err)
	}
	fmt.Fprintln(env.Stdout, id)
	fmt.Fprintf(env.Stderr, "casefile: created %s in commit %s\n", p, short(hash))
	return nil
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// buildNew renders the skeleton from the flags and, with --from-file, lays
// the file's fields over it; casefile's own fields (id, kind, status, the
// report time) always win.
func buildNew(w *writer, opts newOptions, id string, base *record.Doc) (*record.Doc, error) {
	s := record.Skeleton{
		ID: id, Kind: opts.kind, Title: opts.title, TLP: opts.tlp,
		ReportedAt: record.At(w.now).Raw, Reporter: opts.reporter, Channel: opts.channel,
		OccurredAt: opts.occurred, DetectedAt: opts.detected, Description: opts.description,
		Scenario: opts.scenario,
	}
	for _, a := range []record.AffectedList{
		{Name: "systems", Items: opts.systems},
		{Name: "processes", Items: opts.processes},
		{Name: "facilities", Items: opts.facilities},
		{Name: "assets", Items: opts.assets},
	} {
		if len(a.Items) > 0 {
			s.Affected = append(s.Affected, a)
		}
	}
	if base != nil {
		// Fields the flags did not give come from the file.
		for _, f := range []struct {
			ptr, flag string
			dst       *string
		}{
			{"/title", "title", &s.Title},
			{"/description", "description", &s.Description},
			{"/drill/scenario", "scenario", &s.Scenario},
			{"/tlp", "tlp", &s.TLP},
		} {
			if v, ok := base.Value(f.ptr).(string); ok && !opts.changed(f.flag) {
				*f.dst = v
			}
		}
	}
	// A repository's templates/records/<kind>.yaml replaces the built-in
	// skeleton.
	doc, err := s.RenderFrom(render.NewLibrary(w.repo.Root(), ".").Skeletons())
	if err != nil {
		return nil, err
	}
	if base == nil {
		return doc, nil
	}
	// casefile owns these; title, description and tlp went into the
	// skeleton above.
	skip := map[string]bool{
		"schema_version": true, "id": true, "kind": true, "status": true,
		"title": true, "description": true, "tlp": true,
	}
	flagOf := map[string]string{
		"reported.by": "reporter", "reported.channel": "channel", "drill.scenario": "scenario",
		"affected.systems": "systems", "affected.processes": "processes", "affected.facilities": "facilities", "affected.assets": "assets",
		"occurred_at": "occurred", "detected_at": "detected",
	}
	root := base.Root()
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i].Value, root.Content[i+1]
		if skip[key] {
			continue
		}
		if val.Kind != yaml.MappingNode || (key != "reported" && key != "affected" && key != "drill") {
			if f, ok := flagOf[key]; ok && opts.changed(f) {
				continue
			}
			if err := doc.Set(key, val); err != nil {
				return nil, err
			}
			continue
		}
		for j := 0; j+1 < len(val.Content); j += 2 {
			sub := key + "." + val.Content[j].Value
			if f, ok := flagOf[sub]; ok && opts.changed(f) {
				continue
			}
			if err := doc.Set(sub, val.Content[j+1]); err != nil {
				return nil, err
			}
		}
	}
	return doc, nil
}

// readFieldsFile reads a YAML file of record fields, or stdin for "-".
func readFieldsFile(env *Env, name string) (*record.Doc, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(env.Stdin, record.MaxFileSize+1))
		name = "<stdin>"
	} else {
		data, err = os.ReadFile(env.abs(name))
	}
	if err != nil {
		return nil, usageError(fmt.Errorf("reading %s: %w", name, err))
	}
	doc, err := record.Parse(name, data)
	if err != nil {
		return nil, usageError(err)
	}
	return doc, nil
}

// promptMissing asks on a terminal for the required fields not given.
func promptMissing(env *Env, opts *newOptions, base *record.Doc) error {
	has := func(v string, ptr string) bool {
		if v != "" {
			return true
		}
		if base != nil {
			s, _ := base.Value(ptr).(string)
			return s != ""
		}
		return false
	}
	type field struct {
		name, ptr string
		dst       *string
	}
	fields := []field{{"title", "/title", &opts.title}, {"description", "/description", &opts.description}}
	if opts.kind == record.KindDrill {
		fields = append(fields, field{"scenario", "/drill/scenario", &opts.scenario})
	}
	var missing []field
	for _, f := range fields {
		if !has(*f.dst, f.ptr) {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if !env.Interactive {
		names := make([]string, len(missing))
		for i, f := range missing {
			names[i] = "--" + f.name
		}
		return usageError(fmt.Errorf("missing %s (no terminal to ask on)", strings.Join(names, ", ")))
	}
	in := bufio.NewReader(env.Stdin)
	for _, f := range missing {
		for *f.dst == "" {
			fmt.Fprintf(env.Stderr, "%s: ", f.name)
			line, err := in.ReadString('\n')
			*f.dst = strings.TrimSpace(line)
			if err != nil && *f.dst == "" {
				return usageError(fmt.Errorf("missing --%s", f.name))
			}
		}
	}
	return nil
}
