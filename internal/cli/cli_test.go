package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casefile/casefile/internal/lint"
)

func testEnv(t *testing.T, dir string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	return &Env{
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) },
		Dir:    dir,
	}, &out, &errOut
}

// TestExitCodes pins the documented exit codes to the commands that
// produce them.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("casefile.yaml", "schema_version: 1\n")
	write("records/2026/EVT-2026-0001.yaml", "schema_version: 1\nid: EVT-2026-0001\nkind: event\ntitle: t\nstatus: reported\nreported:\n  at: 2026-03-02T09:14:00Z\n  by: a@example.com\n")
	write("bad/EVT-2026-0002.yaml", "schema_version: 1\nid: EVT-2026-0002\n")
	write("broken/casefile.yaml", "schema_version: 1\nsigning: {policy: never}\n")
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"lint"}, ExitOK},
		{[]string{"lint", "bad"}, ExitFindings},
		{[]string{"lint", "broken"}, ExitFindings},
		{[]string{"lint", "--format", "yaml"}, ExitUsage},
		{[]string{"lint", "--no-such-flag"}, ExitUsage},
		{[]string{"lint", "missing.yaml"}, ExitUsage},
		{[]string{"lint", "--now", "soon"}, ExitUsage},
		{[]string{"no-such-command"}, ExitUsage},
		{[]string{"schema", "other"}, ExitUsage},
		{[]string{"schema", "record", "extra"}, ExitUsage},
		{[]string{"schema"}, ExitOK},
		{[]string{"version"}, ExitOK},
	}
	for _, tc := range cases {
		env, _, stderr := testEnv(t, dir)
		if got := Run(context.Background(), env, tc.args); got != tc.code {
			t.Errorf("casefile %s: exit %d, want %d (stderr: %s)", strings.Join(tc.args, " "), got, tc.code, stderr)
		}
	}
}

// TestReadmeDocumentsEverything keeps the README true: every command and
// every lint rule is described there.
func TestReadmeDocumentsEverything(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	env, _, _ := testEnv(t, t.TempDir())
	for _, c := range newRootCmd(env).Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if !strings.Contains(text, "### `casefile "+c.Name()) {
			t.Errorf("README has no section for casefile %s", c.Name())
		}
	}
	for _, r := range lint.Rules {
		if !strings.Contains(text, "| `"+r.ID+"` | "+string(r.Severity)+" |") {
			t.Errorf("README's rule table lacks %s (%s)", r.ID, r.Severity)
		}
	}
}
