package custody

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	gitconfig "github.com/go-git/go-git/v5/plumbing/format/config"
)

// maxIncludeDepth mirrors git's MAX_INCLUDE_DEPTH: deeper nesting is almost
// certainly an include loop.
const maxIncludeDepth = 10

// GitConfig is the part of the user's git configuration that decides how
// `git commit -S` signs and who the author and committer are. It is loaded
// once by LoadGitConfig and is read-only afterwards.
type GitConfig struct {
	// UserName is user.name.
	UserName string
	// UserEmail is user.email.
	UserEmail string
	// AuthorName and AuthorEmail are author.name and author.email, which
	// git prefers over user.* for the author.
	AuthorName, AuthorEmail string
	// CommitterName and CommitterEmail are committer.name and
	// committer.email, which git prefers over user.* for the committer.
	CommitterName, CommitterEmail string
	// SigningKey is user.signingkey as written (no ~ expansion yet).
	SigningKey string
	// Format is gpg.format as written; empty means openpgp.
	Format string
	// OpenPGPProgram is the last of gpg.program and gpg.openpgp.program,
	// which git treats as aliases; empty means "gpg".
	OpenPGPProgram string
	// SSHProgram is gpg.ssh.program; empty means "ssh-keygen".
	SSHProgram string
	// SSHDefaultKeyCommand is gpg.ssh.defaultKeyCommand, which git runs to
	// find a key when user.signingkey is unset and gpg.format is ssh.
	SSHDefaultKeyCommand string
	// CommitGPGSign is commit.gpgsign.
	CommitGPGSign bool
	// Files lists the configuration files that were read, in order, for
	// error messages and `casefile doctor`-style diagnostics.
	Files []string

	entries []configEntry
	env     func(string) string
	home    string
}

// Identity is a person as git records them: a name and an email address.
type Identity struct {
	// Name is the display name.
	Name string
	// Email is the address without angle brackets.
	Email string
}

// String formats the identity the way git's ident lines do.
func (i Identity) String() string {
	return i.Name + " <" + i.Email + ">"
}

// configEntry is one key = value assignment, in the order git would apply it.
type configEntry struct {
	key   string // section[.subsection].name, section and name lower-cased
	value string
	file  string
}

// LoadGitConfig reads the git configuration that applies to the repository
// containing repoDir (repoDir may be empty to read only system, global and
// environment configuration), in git's precedence order: system, global,
// repository, then GIT_CONFIG_COUNT/GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n.
// The environment is read only through env so tests and the CLI decide what
// it contains; a nil env means an empty environment.
func LoadGitConfig(repoDir string, env func(string) string) (*GitConfig, error) {
	if env == nil {
		env = func(string) string { return "" }
	}
	l := &configLoader{env: env, home: env("HOME")}
	if repoDir != "" {
		l.gitDir, l.commonDir = findGitDir(repoDir)
	}

	if !parseBool(env("GIT_CONFIG_NOSYSTEM"), false) {
		system := env("GIT_CONFIG_SYSTEM")
		if system == "" {
			system = "/etc/gitconfig"
		}
		if err := l.readFile(system, 0); err != nil {
			return nil, err
		}
	}

	if global := env("GIT_CONFIG_GLOBAL"); global != "" {
		if err := l.readFile(l.expandHome(global), 0); err != nil {
			return nil, err
		}
	} else {
		xdg := env("XDG_CONFIG_HOME")
		if xdg == "" && l.home != "" {
			xdg = filepath.Join(l.home, ".config")
		}
		if xdg != "" {
			if err := l.readFile(filepath.Join(xdg, "git", "config"), 0); err != nil {
				return nil, err
			}
		}
		if l.home != "" {
			if err := l.readFile(filepath.Join(l.home, ".gitconfig"), 0); err != nil {
				return nil, err
			}
		}
	}

	if l.commonDir != "" {
		if err := l.readFile(filepath.Join(l.commonDir, "config"), 0); err != nil {
			return nil, err
		}
		// Per-worktree configuration only exists when the repository opted
		// in; reading it otherwise would apply settings git ignores.
		if l.gitDir != l.commonDir && parseBool(l.last("extensions.worktreeconfig"), false) {
			if err := l.readFile(filepath.Join(l.gitDir, "config.worktree"), 0); err != nil {
				return nil, err
			}
		}
	}

	if err := l.readEnvEntries(); err != nil {
		return nil, err
	}
	return l.build(), nil
}

// configLoader accumulates entries from all configuration sources.
type configLoader struct {
	env       func(string) string
	home      string
	gitDir    string
	commonDir string
	entries   []configEntry
	files     []string
}

func (l *configLoader) expandHome(p string) string {
	if p == "~" {
		return l.home
	}
	if strings.HasPrefix(p, "~/") && l.home != "" {
		return filepath.Join(l.home, p[2:])
	}
	return p
}

func (l *configLoader) last(key string) string {
	for i := len(l.entries) - 1; i >= 0; i-- {
		if l.entries[i].key == key {
			return l.entries[i].value
		}
	}
	return ""
}

// readFile parses one configuration file and appends its entries. A missing
// file is not an error, as in git; an unreadable or malformed one is, because
// silently ignoring it could pick the wrong signing key.
func (l *configLoader) readFile(path string, depth int) error {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isDirError(err) {
			return nil
		}
		return fmt.Errorf("reading git config: %w", err)
	}
	l.files = append(l.files, path)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	cfg := gitconfig.New()
	if err := gitconfig.NewDecoder(bytes.NewReader(data)).Decode(cfg); err != nil {
		return fmt.Errorf("parsing git config %s: %w", path, err)
	}
	// go-git's decoder merges repeated sections, so includes are applied at
	// the position where their section first appears. That differs from git
	// only when one file assigns the same key both before and after an
	// include, which real configurations practically never do.
	for _, s := range cfg.Sections {
		section := strings.ToLower(s.Name)
		for _, o := range s.Options {
			name := strings.ToLower(o.Key)
			if section == "include" && name == "path" {
				if err := l.include(path, o.Value, depth); err != nil {
					return err
				}
				continue
			}
			l.entries = append(l.entries, configEntry{key: section + "." + name, value: o.Value, file: path})
		}
		for _, ss := range s.Subsections {
			for _, o := range ss.Options {
				name := strings.ToLower(o.Key)
				if section == "includeif" && name == "path" {
					if l.includeIfMatches(ss.Name, path) {
						if err := l.include(path, o.Value, depth); err != nil {
							return err
						}
					}
					continue
				}
				l.entries = append(l.entries, configEntry{key: section + "." + ss.Name + "." + name, value: o.Value, file: path})
			}
		}
	}
	return nil
}

func isDirError(err error) bool {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if fi, statErr := os.Stat(pe.Path); statErr == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// include reads an included file; relative paths are relative to the
// including file, as git documents.
func (l *configLoader) include(from, p string, depth int) error {
	if p == "" {
		return nil
	}
	if depth+1 > maxIncludeDepth {
		return fmt.Errorf("reading git config %s: include depth exceeds %d (include loop?)", from, maxIncludeDepth)
	}
	p = l.expandHome(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(from), p)
	}
	return l.readFile(p, depth+1)
}

// includeIfMatches evaluates the conditions git supports that matter for
// picking a signing key per directory: gitdir:, gitdir/i: and onbranch:.
// Conditions casefile cannot evaluate (hasconfig:) are false, which is also
// what git does for conditions it does not understand.
func (l *configLoader) includeIfMatches(cond, file string) bool {
	switch {
	case strings.HasPrefix(cond, "gitdir:"):
		return l.gitdirMatches(strings.TrimPrefix(cond, "gitdir:"), file, false)
	case strings.HasPrefix(cond, "gitdir/i:"):
		return l.gitdirMatches(strings.TrimPrefix(cond, "gitdir/i:"), file, true)
	case strings.HasPrefix(cond, "onbranch:"):
		branch := l.currentBranch()
		if branch == "" {
			return false
		}
		pat := strings.TrimPrefix(cond, "onbranch:")
		if strings.HasSuffix(pat, "/") {
			pat += "**"
		}
		return globMatch(pat, branch, false)
	}
	return false
}

func (l *configLoader) gitdirMatches(pat, file string, fold bool) bool {
	if l.gitDir == "" {
		return false
	}
	// Expand textually, as git does: filepath.Join would drop the trailing
	// slash that turns a pattern into "everything below".
	switch {
	case strings.HasPrefix(pat, "~/") && l.home != "":
		pat = strings.TrimSuffix(l.home, "/") + "/" + pat[2:]
	case strings.HasPrefix(pat, "./"):
		pat = filepath.Dir(file) + "/" + pat[2:]
	}
	pat = filepath.ToSlash(pat)
	if !strings.HasPrefix(pat, "/") {
		pat = "**/" + pat
	}
	if strings.HasSuffix(pat, "/") {
		pat += "**"
	}
	candidates := []string{l.gitDir}
	if real, err := filepath.EvalSymlinks(l.gitDir); err == nil && real != l.gitDir {
		candidates = append(candidates, real)
	}
	for _, c := range candidates {
		if globMatch(pat, filepath.ToSlash(c), fold) {
			return true
		}
	}
	return false
}

func (l *configLoader) currentBranch() string {
	if l.gitDir == "" {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(l.gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if !strings.HasPrefix(s, "ref: refs/heads/") {
		return ""
	}
	return strings.TrimPrefix(s, "ref: refs/heads/")
}

// readEnvEntries applies GIT_CONFIG_COUNT/GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n,
// which override every file, like `git -c`.
func (l *configLoader) readEnvEntries() error {
	countStr := l.env("GIT_CONFIG_COUNT")
	if countStr == "" {
		return nil
	}
	count, err := strconv.Atoi(countStr)
	if err != nil || count < 0 {
		return fmt.Errorf("reading git config: bogus GIT_CONFIG_COUNT %q", countStr)
	}
	for i := 0; i < count; i++ {
		key := l.env("GIT_CONFIG_KEY_" + strconv.Itoa(i))
		if key == "" {
			return fmt.Errorf("reading git config: missing config key GIT_CONFIG_KEY_%d", i)
		}
		normalized, ok := normalizeKey(key)
		if !ok {
			return fmt.Errorf("reading git config: invalid key %q in GIT_CONFIG_KEY_%d", key, i)
		}
		l.entries = append(l.entries, configEntry{
			key:   normalized,
			value: l.env("GIT_CONFIG_VALUE_" + strconv.Itoa(i)),
			file:  "GIT_CONFIG_KEY_" + strconv.Itoa(i),
		})
	}
	return nil
}

// normalizeKey lower-cases the section and variable name of a dotted key and
// keeps the subsection's case, which is significant in git.
func normalizeKey(key string) (string, bool) {
	first := strings.IndexByte(key, '.')
	lastDot := strings.LastIndexByte(key, '.')
	if first <= 0 || lastDot == len(key)-1 {
		return "", false
	}
	section := strings.ToLower(key[:first])
	name := strings.ToLower(key[lastDot+1:])
	if first == lastDot {
		return section + "." + name, true
	}
	return section + "." + key[first+1:lastDot] + "." + name, true
}

func (l *configLoader) build() *GitConfig {
	c := &GitConfig{entries: l.entries, env: l.env, home: l.home, Files: l.files}
	for _, e := range l.entries {
		switch e.key {
		case "user.name":
			c.UserName = e.value
		case "user.email":
			c.UserEmail = e.value
		case "author.name":
			c.AuthorName = e.value
		case "author.email":
			c.AuthorEmail = e.value
		case "committer.name":
			c.CommitterName = e.value
		case "committer.email":
			c.CommitterEmail = e.value
		case "user.signingkey":
			c.SigningKey = e.value
		case "gpg.format":
			c.Format = e.value
		case "gpg.program", "gpg.openpgp.program":
			c.OpenPGPProgram = e.value
		case "gpg.ssh.program":
			c.SSHProgram = e.value
		case "gpg.ssh.defaultkeycommand":
			c.SSHDefaultKeyCommand = e.value
		case "commit.gpgsign":
			c.CommitGPGSign = parseBool(e.value, true)
		}
	}
	return c
}

// Get returns the last value of key (for example "user.signingkey" or
// "gpg.ssh.allowedSignersFile"), as git's "last one wins" rule does, and
// whether it was set at all.
func (c *GitConfig) Get(key string) (string, bool) {
	k, ok := normalizeKey(key)
	if !ok {
		return "", false
	}
	for i := len(c.entries) - 1; i >= 0; i-- {
		if c.entries[i].key == k {
			return c.entries[i].value, true
		}
	}
	return "", false
}

// SigningFormat returns gpg.format, defaulting to openpgp like git. The x509
// format (gpgsm) is rejected because casefile's verifier cannot check it.
func (c *GitConfig) SigningFormat() (Format, error) {
	return parseFormat(c.Format)
}

// GPGProgram returns the program git runs for OpenPGP signatures.
func (c *GitConfig) GPGProgram() string {
	if c.OpenPGPProgram != "" {
		return c.OpenPGPProgram
	}
	return "gpg"
}

// SSHKeygenProgram returns the program git runs for SSH signatures.
func (c *GitConfig) SSHKeygenProgram() string {
	if c.SSHProgram != "" {
		return c.SSHProgram
	}
	return "ssh-keygen"
}

// Author returns the author identity with git's precedence:
// GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL, then author.*, then user.*, then (for
// the email) EMAIL.
func (c *GitConfig) Author() (Identity, error) {
	return c.identity("author", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", c.AuthorName, c.AuthorEmail)
}

// Committer returns the committer identity with git's precedence:
// GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL, then committer.*, then user.*,
// then (for the email) EMAIL.
func (c *GitConfig) Committer() (Identity, error) {
	return c.identity("committer", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", c.CommitterName, c.CommitterEmail)
}

func (c *GitConfig) identity(role, nameVar, emailVar, cfgName, cfgEmail string) (Identity, error) {
	env := c.env
	if env == nil {
		env = func(string) string { return "" }
	}
	id := Identity{
		Name:  firstNonEmpty(env(nameVar), cfgName, c.UserName),
		Email: firstNonEmpty(env(emailVar), cfgEmail, c.UserEmail, env("EMAIL")),
	}
	// git strips these from identities; refusing them instead makes a
	// mistyped config visible rather than silently rewritten.
	if id.Name == "" || id.Email == "" {
		return id, fmt.Errorf("%s identity unknown: set user.name and user.email in git config", role)
	}
	if strings.ContainsAny(id.Name+id.Email, "<>\n\x00") {
		return id, fmt.Errorf("%s identity %q contains <, > or a newline", role, id.String())
	}
	return id, nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// parseBool parses a git boolean. The empty string stands for a key without
// "=", which git reads as true; go-git's decoder cannot tell it apart from
// an explicit empty value, so emptyMeans decides.
func parseBool(v string, emptyMeans bool) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return emptyMeans
	case "true", "yes", "on":
		return true
	case "false", "no", "off":
		return false
	}
	n, err := strconv.Atoi(v)
	return err == nil && n != 0
}

// findGitDir walks up from dir to the first .git entry and returns the
// per-worktree git directory and the common directory (equal outside linked
// worktrees). It returns empty strings when dir is not in a work tree.
func findGitDir(dir string) (gitDir, commonDir string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", ""
	}
	for d := abs; ; {
		p := filepath.Join(d, ".git")
		if fi, err := os.Stat(p); err == nil {
			if fi.IsDir() {
				return p, p
			}
			g := readGitFile(p)
			if g == "" {
				return "", ""
			}
			return g, readCommonDir(g)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", ""
		}
		d = parent
	}
}

// readGitFile resolves a ".git" file ("gitdir: <path>") of a linked worktree
// or submodule.
func readGitFile(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if !strings.HasPrefix(s, "gitdir:") {
		return ""
	}
	g := strings.TrimSpace(strings.TrimPrefix(s, "gitdir:"))
	if !filepath.IsAbs(g) {
		g = filepath.Join(filepath.Dir(p), g)
	}
	return filepath.Clean(g)
}

func readCommonDir(gitDir string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	c := strings.TrimSpace(string(b))
	if !filepath.IsAbs(c) {
		c = filepath.Join(gitDir, c)
	}
	return filepath.Clean(c)
}

// globMatch implements the subset of git's wildmatch (WM_PATHNAME) that
// includeIf patterns use: "**" spans directories, "*" and "?" do not, and
// bracket expressions follow path.Match.
func globMatch(pattern, name string, fold bool) bool {
	var re strings.Builder
	re.WriteString("^")
	if fold {
		re.WriteString("(?i)")
	}
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		switch {
		case strings.HasPrefix(pattern[i:], "**/"):
			re.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(pattern[i:], "/**") && i+3 == len(pattern):
			re.WriteString("/.*")
			i += 2
		case strings.HasPrefix(pattern[i:], "**"):
			re.WriteString(".*")
			i++
		case ch == '*':
			re.WriteString("[^/]*")
		case ch == '?':
			re.WriteString("[^/]")
		case ch == '[':
			end := strings.IndexByte(pattern[i+1:], ']')
			if end < 0 {
				re.WriteString(`\[`)
				continue
			}
			class := pattern[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			re.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		default:
			re.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	re.WriteString("$")
	r, err := regexp.Compile(re.String())
	if err != nil {
		return false
	}
	return r.MatchString(name)
}
