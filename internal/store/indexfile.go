package store

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// This file reads and writes .git/index itself instead of using go-git's
// plumbing/format/index, for three reasons: go-git decodes every entry
// field by reflection (about 5 µs per entry each way, half a second per
// commit at 100,000 files), it drops the assume-valid flag, and it cannot
// write extensions, so it would throw away git's cache tree on every
// commit. Here unchanged entries are copied byte for byte, and the cache
// tree is kept with only the directories along the changed paths
// invalidated, exactly as git's own cache_tree_invalidate_path does.

const (
	entryFixedLen  = 62 // stat data, mode, ids, size, object id, flags
	flagExtended   = 0x4000
	flagStageMask  = 0x3000
	flagNameMask   = 0x0fff
	extSkipWorktee = 0x4000
	extIntentToAdd = 0x2000
)

var errIndexCorrupt = errors.New("index file corrupt")

// idxEntry is one index entry: its path and its fixed-size header (62
// bytes, 64 with extended flags), which for unchanged entries is a slice of
// the file as read.
type idxEntry struct {
	name string
	hdr  []byte
}

func (e *idxEntry) flags() uint16 { return binary.BigEndian.Uint16(e.hdr[60:]) }
func (e *idxEntry) stage() int    { return int(e.flags()&flagStageMask) >> 12 }
func (e *idxEntry) extFlags() uint16 {
	if e.flags()&flagExtended == 0 || len(e.hdr) < entryFixedLen+2 {
		return 0
	}
	return binary.BigEndian.Uint16(e.hdr[62:])
}
func (e *idxEntry) mode() uint32     { return binary.BigEndian.Uint32(e.hdr[24:]) }
func (e *idxEntry) size() uint32     { return binary.BigEndian.Uint32(e.hdr[36:]) }
func (e *idxEntry) mtimeSec() uint32 { return binary.BigEndian.Uint32(e.hdr[8:]) }
func (e *idxEntry) hash() plumbing.Hash {
	var h plumbing.Hash
	copy(h[:], e.hdr[40:60])
	return h
}
func (e *idxEntry) intentToAdd() bool  { return e.extFlags()&extIntentToAdd != 0 }
func (e *idxEntry) skipWorktree() bool { return e.extFlags()&extSkipWorktee != 0 }

// smudge zeroes the recorded size so git re-examines the file; the header
// is copied first because it may alias the buffer the index was read from.
func (e *idxEntry) smudge() {
	h := append([]byte(nil), e.hdr...)
	binary.BigEndian.PutUint32(h[36:], 0)
	e.hdr = h
}

// statData is the part of stat(2) git records in the index.
type statData struct {
	ctimeSec, ctimeNsec uint32
	mtimeSec, mtimeNsec uint32
	dev, ino, uid, gid  uint32
	size                uint32
}

// newIdxEntry builds a stage-0 entry without extended flags.
func newIdxEntry(name string, h plumbing.Hash, mode uint32, st statData) idxEntry {
	hdr := make([]byte, entryFixedLen)
	be := binary.BigEndian
	be.PutUint32(hdr[0:], st.ctimeSec)
	be.PutUint32(hdr[4:], st.ctimeNsec)
	be.PutUint32(hdr[8:], st.mtimeSec)
	be.PutUint32(hdr[12:], st.mtimeNsec)
	be.PutUint32(hdr[16:], st.dev)
	be.PutUint32(hdr[20:], st.ino)
	be.PutUint32(hdr[24:], mode)
	be.PutUint32(hdr[28:], st.uid)
	be.PutUint32(hdr[32:], st.gid)
	be.PutUint32(hdr[36:], st.size)
	copy(hdr[40:60], h[:])
	n := len(name)
	if n > flagNameMask {
		n = flagNameMask
	}
	be.PutUint16(hdr[60:], uint16(n))
	return idxEntry{name: name, hdr: hdr}
}

// cacheTree is the TREE extension: per directory, how many index entries it
// covers and the tree object they would produce (count < 0: invalid).
type cacheTree struct {
	name     string
	count    int
	subtrees []*cacheTree
	hash     []byte
}

// indexFile is a decoded index.
type indexFile struct {
	version uint32
	entries []idxEntry // sorted by name, then stage
	tree    *cacheTree
	reuc    []byte // resolve-undo extension, kept verbatim
}

func decodeIndex(data []byte) (*indexFile, error) {
	if len(data) < 12+sha1.Size || string(data[:4]) != "DIRC" {
		return nil, fmt.Errorf("%w: bad signature", errIndexCorrupt)
	}
	body, sum := data[:len(data)-sha1.Size], data[len(data)-sha1.Size:]
	// index.skipHash writes a zero checksum; otherwise verify, as git does.
	if !bytes.Equal(sum, make([]byte, sha1.Size)) {
		if got := sha1.Sum(body); !bytes.Equal(got[:], sum) {
			return nil, fmt.Errorf("%w: bad checksum", errIndexCorrupt)
		}
	}
	idx := &indexFile{version: binary.BigEndian.Uint32(data[4:])}
	if idx.version < 2 || idx.version > 4 {
		return nil, fmt.Errorf("%w: index version %d", ErrUnsupportedRepository, idx.version)
	}
	count := binary.BigEndian.Uint32(data[8:])
	if uint64(count)*entryFixedLen > uint64(len(body)) {
		return nil, fmt.Errorf("%w: entry count %d too large", errIndexCorrupt, count)
	}
	idx.entries = make([]idxEntry, 0, count)
	pos := 12
	prev := ""
	for i := uint32(0); i < count; i++ {
		start := pos
		if pos+entryFixedLen > len(body) {
			return nil, fmt.Errorf("%w: truncated entry", errIndexCorrupt)
		}
		flags := binary.BigEndian.Uint16(body[pos+60:])
		hdrLen := entryFixedLen
		if flags&flagExtended != 0 {
			if idx.version < 3 {
				return nil, fmt.Errorf("%w: extended flags in version 2", errIndexCorrupt)
			}
			hdrLen += 2
		}
		if pos+hdrLen > len(body) {
			return nil, fmt.Errorf("%w: truncated entry", errIndexCorrupt)
		}
		hdr := body[pos : pos+hdrLen]
		pos += hdrLen
		var name string
		if idx.version == 4 {
			strip, n := readVarint(body[pos:])
			if n <= 0 || strip > uint64(len(prev)) {
				return nil, fmt.Errorf("%w: bad name compression", errIndexCorrupt)
			}
			pos += n
			end := bytes.IndexByte(body[pos:], 0)
			if end < 0 {
				return nil, fmt.Errorf("%w: unterminated name", errIndexCorrupt)
			}
			name = prev[:len(prev)-int(strip)] + string(body[pos:pos+end])
			pos += end + 1
		} else {
			end := bytes.IndexByte(body[pos:], 0)
			if end < 0 {
				return nil, fmt.Errorf("%w: unterminated name", errIndexCorrupt)
			}
			name = string(body[pos : pos+end])
			// Pad the whole entry to a multiple of 8 with 1..8 NULs.
			pos = start + (hdrLen+end+8)&^7
			if pos > len(body) {
				return nil, fmt.Errorf("%w: truncated entry", errIndexCorrupt)
			}
		}
		idx.entries = append(idx.entries, idxEntry{name: name, hdr: hdr})
		prev = name
	}

	for pos < len(body) {
		if pos+8 > len(body) {
			return nil, fmt.Errorf("%w: truncated extension", errIndexCorrupt)
		}
		sig := string(body[pos : pos+4])
		size := int(binary.BigEndian.Uint32(body[pos+4:]))
		pos += 8
		if size < 0 || pos+size > len(body) {
			return nil, fmt.Errorf("%w: extension %q overruns the file", errIndexCorrupt, sig)
		}
		ext := body[pos : pos+size]
		pos += size
		switch {
		case sig == "TREE":
			t, rest, err := parseCacheTree(ext)
			if err != nil || len(rest) != 0 {
				// A damaged cache tree is only an optimization lost.
				t = nil
			}
			idx.tree = t
		case sig == "REUC":
			idx.reuc = ext
		case sig == "link":
			return nil, fmt.Errorf("%w: split index (run git update-index --no-split-index)", ErrUnsupportedRepository)
		case sig == "sdir":
			return nil, fmt.Errorf("%w: sparse index (run git sparse-checkout disable or set index.sparse=false)", ErrUnsupportedRepository)
		case sig[0] < 'A' || sig[0] > 'Z':
			return nil, fmt.Errorf("%w: required index extension %q", ErrUnsupportedRepository, sig)
		default:
			// Optional extensions describe the old entries (untracked cache,
			// fsmonitor bitmap, entry offsets); git regenerates them.
		}
	}
	return idx, nil
}

func readVarint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	v := uint64(c & 0x7f)
	i := 1
	for c&0x80 != 0 {
		if i >= len(b) || i > 9 {
			return 0, 0
		}
		v++
		c = b[i]
		i++
		v = v<<7 | uint64(c&0x7f)
	}
	return v, i
}

func appendVarint(b []byte, v uint64) []byte {
	var tmp [10]byte
	i := len(tmp) - 1
	tmp[i] = byte(v & 0x7f)
	for v >>= 7; v != 0; v >>= 7 {
		v--
		i--
		tmp[i] = 0x80 | byte(v&0x7f)
	}
	return append(b, tmp[i:]...)
}

func parseCacheTree(b []byte) (*cacheTree, []byte, error) {
	nul := bytes.IndexByte(b, 0)
	if nul < 0 {
		return nil, nil, errIndexCorrupt
	}
	t := &cacheTree{name: string(b[:nul])}
	b = b[nul+1:]
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return nil, nil, errIndexCorrupt
	}
	count, err := strconv.Atoi(string(b[:sp]))
	if err != nil {
		return nil, nil, errIndexCorrupt
	}
	b = b[sp+1:]
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		return nil, nil, errIndexCorrupt
	}
	subs, err := strconv.Atoi(string(b[:nl]))
	if err != nil || subs < 0 || subs > len(b) {
		return nil, nil, errIndexCorrupt
	}
	b = b[nl+1:]
	t.count = count
	if count >= 0 {
		if len(b) < sha1.Size {
			return nil, nil, errIndexCorrupt
		}
		t.hash = b[:sha1.Size]
		b = b[sha1.Size:]
	}
	for i := 0; i < subs; i++ {
		var sub *cacheTree
		sub, b, err = parseCacheTree(b)
		if err != nil {
			return nil, nil, err
		}
		t.subtrees = append(t.subtrees, sub)
	}
	return t, b, nil
}

func (t *cacheTree) appendTo(b []byte) []byte {
	b = append(b, t.name...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(t.count), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(t.subtrees)), 10)
	b = append(b, '\n')
	if t.count >= 0 {
		b = append(b, t.hash...)
	}
	for _, s := range t.subtrees {
		b = s.appendTo(b)
	}
	return b
}

// invalidate marks the root and every cached directory on the way to p as
// invalid, leaving all other subtrees' cached hashes in place.
func (t *cacheTree) invalidate(p string) {
	n := t
	n.count, n.hash = -1, nil
	dirs := strings.Split(p, "/")
	for _, d := range dirs[:len(dirs)-1] {
		var next *cacheTree
		for _, s := range n.subtrees {
			if s.name == d {
				next = s
				break
			}
		}
		if next == nil {
			return
		}
		next.count, next.hash = -1, nil
		n = next
	}
}

func (idx *indexFile) encode() []byte {
	size := 12 + sha1.Size
	for i := range idx.entries {
		size += len(idx.entries[i].hdr) + len(idx.entries[i].name) + 8
	}
	b := make([]byte, 0, size+256)
	b = append(b, "DIRC"...)
	b = binary.BigEndian.AppendUint32(b, idx.version)
	b = binary.BigEndian.AppendUint32(b, uint32(len(idx.entries)))
	prev := ""
	for i := range idx.entries {
		e := &idx.entries[i]
		b = append(b, e.hdr...)
		if idx.version == 4 {
			common := 0
			for common < len(prev) && common < len(e.name) && prev[common] == e.name[common] {
				common++
			}
			b = appendVarint(b, uint64(len(prev)-common))
			b = append(b, e.name[common:]...)
			b = append(b, 0)
		} else {
			b = append(b, e.name...)
			pad := (len(e.hdr)+len(e.name)+8)&^7 - (len(e.hdr) + len(e.name))
			for j := 0; j < pad; j++ {
				b = append(b, 0)
			}
		}
		prev = e.name
	}
	if idx.tree != nil {
		ext := idx.tree.appendTo(nil)
		b = append(b, "TREE"...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(ext)))
		b = append(b, ext...)
	}
	if idx.reuc != nil {
		b = append(b, "REUC"...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(idx.reuc)))
		b = append(b, idx.reuc...)
	}
	sum := sha1.Sum(b)
	return append(b, sum[:]...)
}

// find returns the position of the stage-0 entry for name, or where it
// would be inserted, and whether it exists. Entries are sorted by name
// bytes, then stage, as git requires.
func (idx *indexFile) find(name string) (int, bool) {
	i := sort.Search(len(idx.entries), func(i int) bool { return idx.entries[i].name >= name })
	return i, i < len(idx.entries) && idx.entries[i].name == name
}

// set replaces or inserts the entry for e.name, keeping the order.
func (idx *indexFile) set(e idxEntry) {
	i, ok := idx.find(e.name)
	if ok {
		// Drop any higher stages too (there are none: conflicts were refused).
		j := i + 1
		for j < len(idx.entries) && idx.entries[j].name == e.name {
			j++
		}
		idx.entries = append(idx.entries[:i+1], idx.entries[j:]...)
		idx.entries[i] = e
		return
	}
	idx.entries = append(idx.entries, idxEntry{})
	copy(idx.entries[i+1:], idx.entries[i:])
	idx.entries[i] = e
}
