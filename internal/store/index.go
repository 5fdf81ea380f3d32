package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// loadedIndex is the index as read under the lock, with the modification
// time of the index file, which git's racy-clean logic needs.
type loadedIndex struct {
	idx   *indexFile
	mtime time.Time
}

// readIndex decodes .git/index. Unmerged entries are refused: they mean a
// merge or similar is being resolved.
func (r *Repo) readIndex() (*loadedIndex, error) {
	p := filepath.Join(r.gitDir, "index")
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &loadedIndex{idx: &indexFile{version: 2}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	idx, err := decodeIndex(data)
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	for i := range idx.entries {
		if idx.entries[i].stage() != 0 {
			return nil, fmt.Errorf("reading index: %w: %s has merge conflicts; resolve them and commit first", ErrOperationInProgress, idx.entries[i].name)
		}
	}
	return &loadedIndex{idx: idx, mtime: fi.ModTime()}, nil
}

func (li *loadedIndex) entry(p string) (*idxEntry, bool) {
	i, ok := li.idx.find(p)
	if !ok {
		return nil, false
	}
	return &li.idx.entries[i], true
}

// checkIndexConflicts refuses paths that clash with what the user has
// staged (a staged file where the path needs a directory, or staged files
// below the path itself) or that sparse checkout keeps out of the work
// tree. Lookups are binary searches, so this is cheap at any index size.
func (li *loadedIndex) checkIndexConflicts(p string) error {
	for d := parentDir(p); d != ""; d = parentDir(d) {
		if _, ok := li.idx.find(d); ok {
			return fmt.Errorf("%w: %s is a file in the index, %s needs it to be a directory", ErrPathConflict, d, p)
		}
	}
	prefix := p + "/"
	if i, _ := li.idx.find(prefix); i < len(li.idx.entries) && strings.HasPrefix(li.idx.entries[i].name, prefix) {
		return fmt.Errorf("%w: %s is a directory in the index", ErrPathConflict, p)
	}
	if e, ok := li.entry(p); ok && e.skipWorktree() {
		return fmt.Errorf("%w: %s is outside the sparse checkout", ErrPathConflict, p)
	}
	return nil
}

func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// setEntry puts the committed blob for a written path into the index with
// stat data taken from the freshly written file, so that `git status` sees
// it as clean without re-hashing. With fi == nil (the work-tree write
// failed) the stat data is zero, which makes git re-check the file.
func (li *loadedIndex) setEntry(p string, h plumbing.Hash, mode filemode.FileMode, fi fs.FileInfo) {
	var st statData
	if fi != nil {
		st = statOf(fi)
	}
	li.idx.set(newIdxEntry(p, h, uint32(mode), st))
	if li.idx.tree != nil {
		li.idx.tree.invalidate(p)
	}
}

// smudgeRacyEntries protects the user's unstaged edits. An entry whose
// mtime is not older than the index file may have been modified after it
// was hashed without its stat data changing; git re-checks such "racily
// clean" entries, but only while the index file's own mtime is that old.
// Because we are about to give the index a newer mtime, do what git's index
// writer does: compare content now and, if it differs, zero the recorded
// size so git keeps seeing the file as modified.
func (r *Repo) smudgeRacyEntries(li *loadedIndex, skip map[string]bool) {
	if li.mtime.IsZero() {
		return
	}
	indexSec := li.mtime.Unix()
	for i := range li.idx.entries {
		e := &li.idx.entries[i]
		if int64(e.mtimeSec()) < indexSec || e.size() == 0 || skip[e.name] {
			continue
		}
		full := filepath.Join(r.root, filepath.FromSlash(e.name))
		fi, err := os.Lstat(full)
		if err != nil {
			continue
		}
		if uint32(fi.Size()) != e.size() || uint32(fi.ModTime().Unix()) != e.mtimeSec() {
			continue // stat already differs, git will look at it anyway
		}
		var content []byte
		switch {
		case filemode.FileMode(e.mode()) == filemode.Symlink && fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(full)
			if err != nil {
				continue
			}
			content = []byte(target)
		case fi.Mode().IsRegular():
			content, err = os.ReadFile(full)
			if err != nil {
				continue
			}
		default:
			continue
		}
		if plumbing.ComputeHash(plumbing.BlobObject, content) != e.hash() {
			e.smudge()
		}
	}
}
