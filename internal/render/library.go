package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/templates"
)

// Formats of communication templates.
const (
	FormatMarkdown = "md"
	FormatHTML     = "html"
	// FormatYAML is the format of record skeletons.
	FormatYAML = "yaml"
)

// Formats lists the output formats of communication templates.
var Formats = []string{FormatMarkdown, FormatHTML}

// Folders of a records repository that override or add templates, relative
// to its root.
const (
	// Dir holds a repository's templates.
	Dir = "templates"
	// CommsDir holds communication templates: NAME.md.tmpl, NAME.html.tmpl.
	CommsDir = "templates/comms"
	// RecordsDir holds record skeletons for casefile new: KIND.yaml.
	RecordsDir = "templates/records"
)

// CommonName is the partial parsed together with every communication
// template of its format (_common.md.tmpl, _common.html.tmpl): shared
// {{define}} blocks. A repository may override it like any template.
const CommonName = "_common"

// SkeletonPrefix starts the names of record skeletons in listings:
// records/incident.
const SkeletonPrefix = "records/"

// MaxTemplateSize caps a template file; larger files are refused unread.
const MaxTemplateSize = 1 << 20

// MaxOutputSize caps a rendered document.
const MaxOutputSize = 32 << 20

// namePattern is what a template name may be: lowercase letters, digits and
// single hyphens. Nothing that could name another folder.
var namePattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidName checks a template name as given on the command line: a name
// like briefing, or records/KIND for a record skeleton.
func ValidName(name string) error {
	if kind, ok := strings.CutPrefix(name, SkeletonPrefix); ok {
		for _, k := range record.Kinds {
			if kind == k {
				return nil
			}
		}
		return fmt.Errorf("invalid template name %q: record skeletons are %s%s", name, SkeletonPrefix, strings.Join(record.Kinds, ", "+SkeletonPrefix))
	}
	if name == CommonName {
		return nil
	}
	if len(name) > 64 || !namePattern.MatchString(name) {
		return fmt.Errorf("invalid template name %q: use lowercase letters, digits and hyphens", name)
	}
	return nil
}

// Source is one template file.
type Source struct {
	// Name is the template name: briefing, _common, records/incident.
	Name string
	// Format is md, html, or yaml for a record skeleton.
	Format string
	// Path is the file as shown in messages and template errors:
	// templates/comms/briefing.md.tmpl (built-in ones live under templates/
	// in casefile's source; repository ones under the repository's
	// templates/ folder).
	Path string
	// Builtin is true for the templates compiled into casefile.
	Builtin bool
	// Overrides is true for a repository file that replaces a built-in one.
	Overrides bool
	// Description is the first line of the template's leading comment.
	Description string
	// Text is the template.
	Text []byte
	// Err is why a repository file cannot be used (a symbolic link, too
	// large); listings show it, rendering fails with it.
	Err error
}

// Origin is "built-in" or "repository".
func (s Source) Origin() string {
	if s.Builtin {
		return "built-in"
	}
	return "repository"
}

// Library finds templates: a records repository's templates/ folder first,
// then the built-in ones.
type Library struct {
	root    string
	display string
	// Timeout bounds the execution of one template (a hostile template can
	// loop); zero means 30 seconds.
	Timeout time.Duration
}

// NewLibrary returns the templates of the repository at root (absolute; ""
// for the built-in templates only). display is how root is shown in
// messages, e.g. "." or a path relative to the working directory.
func NewLibrary(root, display string) *Library {
	return &Library{root: root, display: display}
}

// shown is how a repository-relative path appears in messages.
func (l *Library) shown(rel string) string {
	if l.display == "" || l.display == "." {
		return rel
	}
	return filepath.ToSlash(filepath.Join(l.display, rel))
}

func fileName(name, format string) string {
	if format == FormatYAML {
		return strings.TrimPrefix(name, SkeletonPrefix) + ".yaml"
	}
	return name + "." + format + ".tmpl"
}

func repoPath(name, format string) string {
	if format == FormatYAML {
		return path.Join(RecordsDir, fileName(name, format))
	}
	return path.Join(CommsDir, fileName(name, format))
}

func builtinPath(name, format string) string {
	if format == FormatYAML {
		return "records/" + fileName(name, format)
	}
	return "comms/" + fileName(name, format)
}

func builtinFS(format string) fs.FS {
	if format == FormatYAML {
		return templates.Records
	}
	return templates.Comms
}

// ErrNotFound reports a template name that neither the repository nor the
// built-in set has.
var ErrNotFound = errors.New("no such template")

// Lookup finds the template name in format: the repository's file when there
// is one (a file that cannot be used is an error, never silently skipped),
// else the built-in one.
func (l *Library) Lookup(name, format string) (Source, error) {
	if err := ValidName(name); err != nil {
		return Source{}, err
	}
	if strings.HasPrefix(name, SkeletonPrefix) {
		format = FormatYAML
	} else if format != FormatMarkdown && format != FormatHTML {
		return Source{}, fmt.Errorf("unknown template format %q (want md or html)", format)
	}
	if l.root != "" {
		rel := repoPath(name, format)
		text, err := readRepoFile(l.root, rel)
		switch {
		case err == nil:
			s := Source{Name: name, Format: format, Path: l.shown(rel), Text: text}
			s.Description = description(text, format)
			_, berr := fs.Stat(builtinFS(format), builtinPath(name, format))
			s.Overrides = berr == nil
			return s, nil
		case !errors.Is(err, fs.ErrNotExist):
			return Source{}, fmt.Errorf("template %s: %w", l.shown(rel), err)
		}
	}
	text, err := fs.ReadFile(builtinFS(format), builtinPath(name, format))
	if err != nil {
		formats := l.formatsOf(name)
		if len(formats) > 0 {
			return Source{}, fmt.Errorf("%w %s in format %s (it has %s)", ErrNotFound, name, format, strings.Join(formats, ", "))
		}
		return Source{}, fmt.Errorf("%w %q (casefile templates list shows them)", ErrNotFound, name)
	}
	return Source{
		Name: name, Format: format, Path: "templates/" + builtinPath(name, format), Builtin: true,
		Text: text, Description: description(text, format),
	}, nil
}

func (l *Library) formatsOf(name string) []string {
	list, _ := l.List()
	var out []string
	for _, s := range list {
		if s.Name == name && !contains(out, s.Format) {
			out = append(out, s.Format)
		}
	}
	return out
}

// commsFile matches the file names of communication templates.
var commsFile = regexp.MustCompile(`^(.+)\.(md|html)\.tmpl$`)

// List returns every template: built-in ones, replaced by the repository's
// files of the same name and format, and the repository's own. Repository
// files that cannot be used are listed with Err set; files in the template
// folders that are not templates are returned as warnings. Sources in the
// list carry no Text.
func (l *Library) List() ([]Source, []error) {
	byKey := map[string]Source{}
	key := func(name, format string) string { return name + "\x00" + format }
	for _, format := range []string{FormatMarkdown, FormatYAML} {
		dir := "comms"
		if format == FormatYAML {
			dir = "records"
		}
		entries, _ := fs.ReadDir(builtinFS(format), dir)
		for _, e := range entries {
			name, f, ok := parseFileName(e.Name(), format == FormatYAML)
			if !ok {
				continue
			}
			text, _ := fs.ReadFile(builtinFS(format), dir+"/"+e.Name())
			byKey[key(name, f)] = Source{
				Name: name, Format: f, Path: "templates/" + dir + "/" + e.Name(), Builtin: true,
				Description: description(text, f),
			}
		}
	}
	var warnings []error
	if l.root != "" {
		for _, d := range []struct {
			rel      string
			skeleton bool
		}{{CommsDir, false}, {RecordsDir, true}} {
			entries, err := readRepoDir(l.root, d.rel)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					warnings = append(warnings, fmt.Errorf("%s: %w", l.shown(d.rel), err))
				}
				continue
			}
			for _, e := range entries {
				rel := d.rel + "/" + e.Name()
				name, f, ok := parseFileName(e.Name(), d.skeleton)
				if !ok {
					warnings = append(warnings, fmt.Errorf("%s: ignored: %s", l.shown(rel), nameRule(d.skeleton)))
					continue
				}
				s := Source{Name: name, Format: f, Path: l.shown(rel)}
				_, s.Overrides = byKey[key(name, f)]
				text, err := readRepoFile(l.root, rel)
				if err != nil {
					s.Err = err
				} else {
					s.Description = description(text, f)
				}
				byKey[key(name, f)] = s
			}
		}
	}
	list := make([]Source, 0, len(byKey))
	for _, s := range byKey {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if sa, sb := a.Format == FormatYAML, b.Format == FormatYAML; sa != sb {
			return sb
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Format < b.Format
	})
	return list, warnings
}

func nameRule(skeleton bool) string {
	if skeleton {
		return "a record skeleton is named KIND.yaml (" + strings.Join(record.Kinds, ", ") + ")"
	}
	return "a template is named NAME.md.tmpl or NAME.html.tmpl, NAME of lowercase letters, digits and hyphens"
}

// parseFileName splits a template file name into name and format.
func parseFileName(file string, skeleton bool) (name, format string, ok bool) {
	if skeleton {
		kind, found := strings.CutSuffix(file, ".yaml")
		if !found || ValidName(SkeletonPrefix+kind) != nil {
			return "", "", false
		}
		return SkeletonPrefix + kind, FormatYAML, true
	}
	m := commsFile.FindStringSubmatch(file)
	if m == nil || ValidName(m[1]) != nil || strings.HasPrefix(m[1], SkeletonPrefix) {
		return "", "", false
	}
	return m[1], m[2], true
}

// leadingComment matches a template's first comment, {{/* … */}}.
var leadingComment = regexp.MustCompile(`^\s*\{\{-?\s*/\*\s*([^\n]*?)\s*(?:\n[\s\S]*?)?\*/\s*-?\}\}`)

// description is the first line of the template's leading comment, or for
// a record skeleton what it is for.
func description(text []byte, format string) string {
	if format == FormatYAML {
		return "record skeleton for casefile new"
	}
	m := leadingComment.FindSubmatch(text)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(string(m[1]))
}

// Skeletons returns the repository's templates/ folder as a file system for
// record.Skeleton.RenderFrom: records/KIND.yaml files, read with the same
// refusal of symbolic links and oversized files as every template. It is
// nil without a repository.
func (l *Library) Skeletons() fs.FS {
	if l.root == "" {
		return nil
	}
	return repoFS{root: l.root}
}

// repoFS reads a repository's templates/ folder safely.
type repoFS struct{ root string }

func (r repoFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	return readRepoFile(r.root, path.Join(Dir, name))
}

func (r repoFS) Open(name string) (fs.File, error) {
	data, err := r.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &memFile{name: path.Base(name), r: bytes.NewReader(data), size: int64(len(data))}, nil
}

type memFile struct {
	name string
	r    *bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f.name, f.size}, nil }
func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Close() error               { return nil }

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

// ErrSymlink reports a template path with a symbolic link in it.
var ErrSymlink = errors.New("symbolic link refused")

// symlinkError names the link: the template file itself, or a folder on the
// way to it.
type symlinkError struct {
	path string
	self bool
}

func (e *symlinkError) Error() string {
	if e.self {
		return "refused: it is a symbolic link (templates must be regular files inside the repository)"
	}
	return "refused: " + e.path + " is a symbolic link (templates must be regular files inside the repository)"
}

func (e *symlinkError) Is(target error) bool { return target == ErrSymlink }

// checkComponents refuses symbolic links on the way from root to rel (rel
// included) and returns the info of rel.
func checkComponents(r *os.Root, rel string) (fs.FileInfo, error) {
	parts := strings.Split(rel, "/")
	var fi fs.FileInfo
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		var err error
		fi, err = r.Lstat(p)
		if err != nil {
			return nil, err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return nil, &symlinkError{path: p, self: i == len(parts)-1}
		}
	}
	return fi, nil
}

// readRepoFile reads root/rel when every component is a real directory or
// regular file inside root (no symbolic links, nothing outside root), and the
// file is at most MaxTemplateSize bytes.
func readRepoFile(root, rel string) ([]byte, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fi, err := checkComponents(r, rel)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("refused: not a regular file")
	}
	if fi.Size() > MaxTemplateSize {
		return nil, fmt.Errorf("file is %d bytes; a template may be at most %d bytes", fi.Size(), MaxTemplateSize)
	}
	f, err := r.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file opened must be the one checked: a swap for a link between
	// the check and the open is refused.
	if st, err := f.Stat(); err != nil || !os.SameFile(st, fi) {
		return nil, errors.New("file changed while being read")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxTemplateSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxTemplateSize {
		return nil, fmt.Errorf("file is larger than %d bytes", MaxTemplateSize)
	}
	return data, nil
}

// readRepoDir lists root/rel under the same rules as readRepoFile.
func readRepoDir(root, rel string) ([]fs.DirEntry, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fi, err := checkComponents(r, rel)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, errors.New("not a directory")
	}
	f, err := r.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	return entries, nil
}
