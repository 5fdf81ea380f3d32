package custody

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// envMap turns a map into the env func LoadGitConfig takes.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadGitConfigPrecedence(t *testing.T) {
	type files map[string]string // relative to the test's temp dir; "repo/.git/config" etc.
	tests := []struct {
		name  string
		files files
		env   map[string]string // values may use $T for the temp dir
		check func(t *testing.T, c *GitConfig)
	}{
		{
			name: "system then global then repo",
			files: files{
				"system":           "[user]\n\tsigningkey = system\n\tname = Sys\n[gpg]\n\tformat = ssh\n",
				"home/.gitconfig":  "[user]\n\tsigningkey = global\n\temail = g@example.com\n",
				"repo/.git/config": "[user]\n\tsigningkey = repo\n",
			},
			env: map[string]string{"GIT_CONFIG_SYSTEM": "$T/system"},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "repo")
				want(t, "name", c.UserName, "Sys")
				want(t, "email", c.UserEmail, "g@example.com")
				want(t, "format", c.Format, "ssh")
			},
		},
		{
			name: "GIT_CONFIG_NOSYSTEM skips system",
			files: files{
				"system": "[user]\n\tsigningkey = system\n",
			},
			env: map[string]string{"GIT_CONFIG_SYSTEM": "$T/system", "GIT_CONFIG_NOSYSTEM": "1"},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "")
			},
		},
		{
			name: "GIT_CONFIG_GLOBAL=/dev/null hides home config",
			files: files{
				"home/.gitconfig":         "[user]\n\tsigningkey = global\n",
				"home/.config/git/config": "[user]\n\tsigningkey = xdg\n",
			},
			env: map[string]string{"GIT_CONFIG_GLOBAL": "/dev/null"},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "")
			},
		},
		{
			name: "GIT_CONFIG_GLOBAL names the global file",
			files: files{
				"home/.gitconfig": "[user]\n\tsigningkey = global\n",
				"other":           "[user]\n\tsigningkey = other\n",
			},
			env: map[string]string{"GIT_CONFIG_GLOBAL": "$T/other"},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "other")
			},
		},
		{
			name: "home .gitconfig overrides XDG",
			files: files{
				"home/.config/git/config": "[user]\n\tsigningkey = xdg\n\tname = X\n",
				"home/.gitconfig":         "[user]\n\tsigningkey = home\n",
			},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "home")
				want(t, "name", c.UserName, "X")
			},
		},
		{
			name: "XDG_CONFIG_HOME",
			files: files{
				"xdg/git/config": "[user]\n\tsigningkey = xdg\n",
			},
			env: map[string]string{"XDG_CONFIG_HOME": "$T/xdg"},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "xdg")
			},
		},
		{
			name: "GIT_CONFIG_COUNT overrides repo",
			files: files{
				"repo/.git/config": "[user]\n\tsigningkey = repo\n[gpg \"ssh\"]\n\tprogram = repo-keygen\n",
			},
			env: map[string]string{
				"GIT_CONFIG_COUNT": "2",
				"GIT_CONFIG_KEY_0": "user.signingKey", "GIT_CONFIG_VALUE_0": "env",
				"GIT_CONFIG_KEY_1": "GPG.ssh.Program", "GIT_CONFIG_VALUE_1": "env-keygen",
			},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "env")
				want(t, "ssh program", c.SSHProgram, "env-keygen")
			},
		},
		{
			name: "include.path relative to including file and ~/",
			files: files{
				"home/.gitconfig":       "[include]\n\tpath = conf.d/signing\n\tpath = ~/more\n",
				"home/conf.d/signing":   "[user]\n\tsigningkey = ~/.ssh/id_ed25519\n[gpg]\n\tformat = ssh\n",
				"home/more":             "[commit]\n\tgpgsign = true\n",
				"repo/.git/placeholder": "",
			},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "~/.ssh/id_ed25519")
				want(t, "format", c.Format, "ssh")
				if !c.CommitGPGSign {
					t.Error("commit.gpgsign from ~/more not applied")
				}
			},
		},
		{
			name: "includeIf gitdir matches the repository",
			files: files{
				"home/.gitconfig": "[user]\n\tsigningkey = personal\n[includeIf \"gitdir:$T/repo/\"]\n\tpath = work\n[includeIf \"gitdir:/nowhere/\"]\n\tpath = never\n",
				"home/work":       "[user]\n\tsigningkey = work\n",
				"home/never":      "[user]\n\tsigningkey = never\n",
			},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "work")
			},
		},
		{
			name: "includeIf gitdir with ** glob",
			files: files{
				"home/.gitconfig": "[includeIf \"gitdir:**/repo/**\"]\n\tpath = work\n",
				"home/work":       "[user]\n\tsigningkey = glob\n",
			},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "glob")
			},
		},
		{
			name: "missing include is ignored",
			files: files{
				"home/.gitconfig": "[user]\n\tsigningkey = a\n[include]\n\tpath = does-not-exist\n",
			},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "signingkey", c.SigningKey, "a")
			},
		},
		{
			name: "gpg.program and gpg.openpgp.program are aliases, last wins",
			files: files{
				"home/.gitconfig":  "[gpg]\n\tprogram = gpg2\n",
				"repo/.git/config": "[gpg \"openpgp\"]\n\tprogram = /opt/gpg\n",
			},
			check: func(t *testing.T, c *GitConfig) {
				want(t, "gpg program", c.GPGProgram(), "/opt/gpg")
				want(t, "ssh program", c.SSHKeygenProgram(), "ssh-keygen")
			},
		},
		{
			name: "defaults",
			check: func(t *testing.T, c *GitConfig) {
				want(t, "gpg program", c.GPGProgram(), "gpg")
				f, err := c.SigningFormat()
				if err != nil || f != FormatOpenPGP {
					t.Errorf("format = %q, %v; want openpgp", f, err)
				}
				if c.CommitGPGSign {
					t.Error("commit.gpgsign defaults to true")
				}
			},
		},
		{
			name: "identity env overrides",
			files: files{
				"home/.gitconfig": "[user]\n\tname = Cfg\n\temail = cfg@example.com\n[committer]\n\tname = Committer Cfg\n",
			},
			env: map[string]string{"GIT_AUTHOR_NAME": "Env Author", "GIT_COMMITTER_EMAIL": "ce@example.com"},
			check: func(t *testing.T, c *GitConfig) {
				a, err := c.Author()
				if err != nil {
					t.Fatal(err)
				}
				want(t, "author", a.String(), "Env Author <cfg@example.com>")
				cm, err := c.Committer()
				if err != nil {
					t.Fatal(err)
				}
				want(t, "committer", cm.String(), "Committer Cfg <ce@example.com>")
			},
		},
		{
			name: "key without value is true",
			files: files{
				"home/.gitconfig": "[commit]\n\tgpgsign\n",
			},
			check: func(t *testing.T, c *GitConfig) {
				if !c.CommitGPGSign {
					t.Error("bare gpgsign not read as true")
				}
			},
		},
		{
			name: "subsection case is kept, Get is case-insensitive on names",
			files: files{
				"home/.gitconfig": "[gpg \"ssh\"]\n\tallowedSignersFile = /x/allowed\n",
			},
			check: func(t *testing.T, c *GitConfig) {
				v, ok := c.Get("gpg.ssh.allowedsignersfile")
				if !ok || v != "/x/allowed" {
					t.Errorf("Get = %q, %v", v, ok)
				}
				if _, ok := c.Get("gpg.SSH.allowedSignersFile"); ok {
					t.Error("subsection matched case-insensitively")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				writeFile(t, filepath.Join(dir, name), strings.ReplaceAll(content, "$T", dir))
			}
			if err := os.MkdirAll(filepath.Join(dir, "repo", ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"HOME": filepath.Join(dir, "home"), "GIT_CONFIG_NOSYSTEM": "1"}
			if _, ok := tt.env["GIT_CONFIG_SYSTEM"]; ok {
				delete(env, "GIT_CONFIG_NOSYSTEM")
			}
			for k, v := range tt.env {
				if len(v) >= 2 && v[:2] == "$T" {
					v = dir + v[2:]
				}
				env[k] = v
			}
			c, err := LoadGitConfig(filepath.Join(dir, "repo"), envMap(env))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func want(t *testing.T, what, got, wantV string) {
	t.Helper()
	if got != wantV {
		t.Errorf("%s = %q, want %q", what, got, wantV)
	}
}

func TestLoadGitConfigWorktree(t *testing.T) {
	dir := t.TempDir()
	common := filepath.Join(dir, "main", ".git")
	wtGit := filepath.Join(common, "worktrees", "wt")
	writeFile(t, filepath.Join(common, "config"), "[extensions]\n\tworktreeConfig = true\n[user]\n\tsigningkey = common\n")
	writeFile(t, filepath.Join(wtGit, "commondir"), "../..\n")
	writeFile(t, filepath.Join(wtGit, "config.worktree"), "[user]\n\tsigningkey = worktree\n")
	writeFile(t, filepath.Join(dir, "wt", ".git"), "gitdir: "+wtGit+"\n")
	if err := os.MkdirAll(filepath.Join(dir, "wt", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := LoadGitConfig(filepath.Join(dir, "wt", "sub"), envMap(map[string]string{"HOME": dir, "GIT_CONFIG_NOSYSTEM": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	want(t, "signingkey", c.SigningKey, "worktree")
}

func TestLoadGitConfigErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "bad"), "[user\n\tname = x\n")
	_, err := LoadGitConfig("", envMap(map[string]string{"GIT_CONFIG_GLOBAL": filepath.Join(dir, "bad"), "GIT_CONFIG_NOSYSTEM": "1"}))
	if err == nil {
		t.Fatal("malformed config accepted")
	}

	writeFile(t, filepath.Join(dir, "loop"), "[include]\n\tpath = loop\n")
	_, err = LoadGitConfig("", envMap(map[string]string{"GIT_CONFIG_GLOBAL": filepath.Join(dir, "loop"), "GIT_CONFIG_NOSYSTEM": "1"}))
	if err == nil {
		t.Fatal("include loop accepted")
	}

	_, err = LoadGitConfig("", envMap(map[string]string{"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}))
	if err == nil {
		t.Fatal("GIT_CONFIG_COUNT without key accepted")
	}

	c := &GitConfig{Format: "x509"}
	if _, err := c.SigningFormat(); !errors.Is(err, ErrUnsupportedFormat) {
		t.Fatalf("x509: %v", err)
	}
	if _, err := (&GitConfig{}).Author(); err == nil {
		t.Fatal("missing identity accepted")
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, name string
		fold, ok  bool
	}{
		{"/a/**", "/a/b/c/.git", false, true},
		{"**/repo/**", "/x/y/repo/.git", false, true},
		{"**/repo/**", "/x/y/other/.git", false, false},
		{"/a/*/.git", "/a/b/.git", false, true},
		{"/a/*/.git", "/a/b/c/.git", false, false},
		{"/A/**", "/a/b", true, true},
		{"/A/**", "/a/b", false, false},
		{"/a/?/x", "/a/b/x", false, true},
		{"/a/[bc]/x", "/a/c/x", false, true},
	}
	for i, tt := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if got := globMatch(tt.pat, tt.name, tt.fold); got != tt.ok {
				t.Errorf("globMatch(%q, %q, %v) = %v", tt.pat, tt.name, tt.fold, got)
			}
		})
	}
}
