package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casefile/casefile/internal/testtools"
)

// gitRepo makes a records repository with an SSH signing key in a temp
// HOME and returns an Env for it, shutting out the user's git config.
func gitRepo(t *testing.T) *Env {
	t.Helper()
	testtools.Require(t, "git", "ssh-keygen")
	home := t.TempDir()
	vars := map[string]string{"HOME": home, "GIT_CONFIG_GLOBAL": filepath.Join(home, ".gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
	run := func(name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Env = os.Environ()
		for k, v := range vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(home, "id"))
	run("git", "config", "--global", "user.name", "Alice Lead")
	run("git", "config", "--global", "user.email", "alice@example.com")
	run("git", "config", "--global", "gpg.format", "ssh")
	run("git", "config", "--global", "user.signingkey", filepath.Join(home, "id.pub"))
	dir := filepath.Join(t.TempDir(), "log")
	env, _, stderr := testEnv(t, filepath.Dir(dir))
	env.Getenv = func(k string) string { return vars[k] }
	if code := Run(context.Background(), env, []string{"init", "log"}); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	env.Dir = dir
	return env
}

// TestNewPrompts answers the prompts for what the flags left out, as a
// person at a terminal would.
func TestNewPrompts(t *testing.T) {
	env := gitRepo(t)
	env.Interactive = true
	env.Stdin = strings.NewReader("\nVisitor tailgated through the side door\nA visitor followed staff in without a badge\n")
	var out, errOut strings.Builder
	env.Stdout, env.Stderr = &out, &errOut
	if code := Run(context.Background(), env, []string{"new", "event", "--channel", "in-person"}); code != 0 {
		t.Fatalf("new: exit %d: %s", code, errOut.String())
	}
	if out.String() != "EVT-2026-0001\n" {
		t.Fatalf("stdout %q", out.String())
	}
	if !strings.Contains(errOut.String(), "title: title: description: ") {
		t.Errorf("prompts not shown (an empty answer must ask again): %q", errOut.String())
	}
	data, err := os.ReadFile(filepath.Join(env.Dir, "records", "2026", "EVT-2026-0001.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"title: Visitor tailgated through the side door\n", "description: A visitor followed staff in without a badge\n", "  channel: in-person\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("record lacks %q:\n%s", want, data)
		}
	}
}

// TestNewFromFile lays a YAML file's fields under the flags.
func TestNewFromFile(t *testing.T) {
	env := gitRepo(t)
	env.Stdin = strings.NewReader("title: From the file\ndescription: Described in the file\ntlp: red\naffected:\n  systems: [vpn]\ntags: [imported]\nid: EVT-1999-0001\n")
	var out, errOut strings.Builder
	env.Stdout, env.Stderr = &out, &errOut
	if code := Run(context.Background(), env, []string{"new", "weakness", "--from-file", "-", "--title", "Flag title wins"}); code != 0 {
		t.Fatalf("new: exit %d: %s", code, errOut.String())
	}
	data, err := os.ReadFile(filepath.Join(env.Dir, "records", "2026", strings.TrimSpace(out.String())+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"id: WKN-2026-0001\n", "title: Flag title wins\n", "description: Described in the file\n", "tlp: red\n", "  systems: [vpn]\n", "tags: [imported]\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("record lacks %q:\n%s", want, data)
		}
	}
}
