package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/casefile/casefile/internal/cli"
	"github.com/casefile/casefile/internal/faults"
	"github.com/casefile/casefile/internal/testtools"
)

var update = flag.Bool("update", false, "rewrite the expected output in testscript files")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"casefile": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts drives the real binary through the .txtar scripts in
// testdata/script. Each script runs in its own temporary HOME with git's
// global and system config shut out.
func TestScripts(t *testing.T) {
	// The scripts skip themselves without the programs they drive; in CI
	// every one must be there, so none is silently skipped.
	testtools.RequireInCI(t, "git", "ssh-keygen", "gpg", "sh", "awk")
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		// [faultinject]: built with -tags faultinject (make test), so that
		// CASEFILE_FAULT=step kills casefile at that step (crash_*.txtar).
		Condition: func(cond string) (bool, error) {
			if cond == "faultinject" {
				return faults.Enabled, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, ".home")
			if err := os.MkdirAll(home, 0o700); err != nil {
				return err
			}
			e.Setenv("HOME", home)
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			e.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
			e.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			e.Setenv("GNUPGHOME", filepath.Join(home, ".gnupg"))
			e.Setenv("EXAMPLES", examples)
			e.Setenv("CASEFILE_NOW", "2026-12-01T00:00:00Z")
			return nil
		},
	})
}
