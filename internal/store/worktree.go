package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// maxPathLen keeps paths within what every filesystem and git accept.
const maxPathLen = 4096

// CheckPath reports whether p is acceptable as a repository path for a
// record or evidence file: relative, slash-separated, clean (no "." or ".."
// components, no doubled or trailing slash), valid UTF-8 without control
// characters or backslashes, and without a ".git" component in any case
// or NTFS/HFS spelling (".GIT", ".git.", "git~1"), which git itself refuses
// because such files would be interpreted as repository metadata.
func CheckPath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("%w: empty path", ErrInvalidPath)
	case len(p) > maxPathLen:
		return fmt.Errorf("%w: path longer than %d bytes", ErrInvalidPath, maxPathLen)
	case !utf8.ValidString(p):
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidPath, p)
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p) || (len(p) >= 2 && p[1] == ':'):
		return fmt.Errorf("%w: %q is absolute", ErrInvalidPath, p)
	case strings.ContainsRune(p, '\\'):
		return fmt.Errorf("%w: %q contains a backslash", ErrInvalidPath, p)
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			return fmt.Errorf("%w: %q contains a control character", ErrInvalidPath, p)
		}
	}
	if path.Clean(p) != p {
		return fmt.Errorf("%w: %q is not clean (want %q)", ErrInvalidPath, p, path.Clean(p))
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." {
			return fmt.Errorf("%w: %q contains %q", ErrInvalidPath, p, part)
		}
		trimmed := strings.TrimRight(part, ". ")
		if strings.EqualFold(trimmed, ".git") || strings.EqualFold(part, "git~1") {
			return fmt.Errorf("%w: %q contains a .git component", ErrInvalidPath, p)
		}
	}
	return nil
}

// checkWorktreePath makes sure writing p inside root will neither follow a
// symlink out of the work tree nor replace a directory: every existing
// parent must be a real directory and the file itself, if present, a
// regular file.
func checkWorktreePath(root, p string) error {
	parts := strings.Split(p, "/")
	cur := root
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("checking %s: %w", p, err)
		}
		rel := strings.Join(parts[:i+1], "/")
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%w: %s is a symlink in the work tree", ErrPathConflict, rel)
		}
		last := i == len(parts)-1
		if !last && !fi.IsDir() {
			return fmt.Errorf("%w: %s is a file in the work tree, %s needs it to be a directory", ErrPathConflict, rel, p)
		}
		if last && !fi.Mode().IsRegular() {
			return fmt.Errorf("%w: %s exists in the work tree and is not a regular file", ErrPathConflict, rel)
		}
	}
	return nil
}

// writeWorktreeFile replaces root/p atomically: a temporary file in the same
// directory is written, fsynced (unless durable is false: the caller then
// makes all its files durable at once with syncFS) and renamed over the
// target, so a reader sees either the old or the new content, never a torn
// file. The
// file is created with 0666 (0777 for executables) so the user's umask
// applies, as with files git checks out.
func writeWorktreeFile(root, p string, data io.Reader, executable, durable bool) (fs.FileInfo, error) {
	// Re-check right before writing: the earlier check ran before the ref
	// update and the work tree is not ours to lock.
	if err := checkWorktreePath(root, p); err != nil {
		return nil, err
	}
	target := filepath.Join(root, filepath.FromSlash(p))
	dir := filepath.Dir(target)
	if err := mkdirNoSymlinks(root, path.Dir(p)); err != nil {
		return nil, err
	}
	perm := os.FileMode(0o666)
	if executable {
		perm = 0o777
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("writing %s: %w", p, err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(target)+".casefile-"+hex.EncodeToString(rnd[:])+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", p, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, data); err != nil {
		return nil, fmt.Errorf("writing %s: %w", p, err)
	}
	if durable {
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("writing %s: %w", p, err)
		}
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("writing %s: %w", p, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return nil, fmt.Errorf("writing %s: %w", p, err)
	}
	ok = true
	// Stat after the rename: the rename changes ctime on most filesystems,
	// and git compares ctime against the index.
	fi, err := os.Lstat(target)
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", p, err)
	}
	return fi, nil
}

// mkdirNoSymlinks creates the directories of rel below root one by one,
// refusing to descend through anything but real directories.
func mkdirNoSymlinks(root, rel string) error {
	if rel == "." || rel == "" {
		return nil
	}
	cur := root
	for _, part := range strings.Split(rel, "/") {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		switch {
		case err == nil && fi.IsDir():
			continue
		case err == nil:
			return fmt.Errorf("%w: %s is not a directory in the work tree", ErrPathConflict, cur)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("creating %s: %w", cur, err)
		}
		if err := os.Mkdir(cur, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("creating %s: %w", cur, err)
		}
	}
	return nil
}
