package validate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/casefile/casefile/internal/atomicfile"
	"github.com/casefile/casefile/schema"
)

// Cache remembers the SHA-256 digests of record file contents that passed
// the record schema, so that a later run need not validate them again:
// schema validation is a pure function of the content and the schema, and
// costs more than everything else casefile does to a record. The file's
// header names the schema it holds results for; a file for another schema
// (or one that does not read back) is an empty cache. A Cache is safe for
// concurrent use.
//
// The results are only as trustworthy as the file: whoever can write it
// can make an invalid record pass the schema check. casefile keeps it in
// the repository's git directory, which clone and fetch never transfer,
// and uses it only for the stamp of reports; casefile verify, the
// auditor's check, never reads it.
type Cache struct {
	path  string
	known []byte // sorted digests, digestSize bytes each, as read

	mu   sync.Mutex
	used map[[digestSize]byte]struct{} // digests known or added in this run
	add  int                           // how many of used were not known
}

const digestSize = sha256.Size

// cacheMagic starts a cache file; the schema's digest follows it.
const cacheMagic = "casefile schema cache 1\n"

// CacheFileName is the cache's file name inside the casefile folder of a
// repository's git directory.
const CacheFileName = "schema-valid"

// schemaID identifies the record schema the results hold for.
var schemaID = func() string {
	sum := sha256.Sum256(schema.Record)
	return hex.EncodeToString(sum[:])
}()

// OpenCache reads the cache at path. A missing, unreadable or foreign file
// is an empty cache (Save replaces it).
func OpenCache(path string) *Cache {
	c := &Cache{path: path, used: map[[digestSize]byte]struct{}{}}
	data, err := os.ReadFile(path)
	if err != nil {
		return c
	}
	head := cacheMagic + schemaID + "\n"
	keys, ok := bytes.CutPrefix(data, []byte(head))
	if !ok || len(keys)%digestSize != 0 {
		return c
	}
	for i := digestSize; i < len(keys); i += digestSize {
		if bytes.Compare(keys[i-digestSize:i], keys[i:i+digestSize]) >= 0 {
			return c // not written by Save
		}
	}
	c.known = keys
	return c
}

// Digest is the key of a record file's content.
func Digest(content []byte) [digestSize]byte { return sha256.Sum256(content) }

// Known reports whether content with this digest passed the schema, in an
// earlier run or in this one.
func (c *Cache) Known(d [digestSize]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.used[d]; ok {
		return true
	}
	lo, hi := 0, len(c.known)/digestSize
	for lo < hi {
		mid := (lo + hi) / 2
		switch bytes.Compare(c.known[mid*digestSize:(mid+1)*digestSize], d[:]) {
		case 0:
			c.used[d] = struct{}{}
			return true
		case -1:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false
}

// Add records that content with this digest passed the schema.
func (c *Cache) Add(d [digestSize]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.used[d]; !ok {
		c.used[d] = struct{}{}
		c.add++
	}
}

// Save writes the digests known or added in this run, so that the file
// holds those of the records just checked and no others, when anything was
// added or dropped, replacing the file whole (atomicfile), so a reader
// sees the old cache or the new one.
func (c *Cache) Save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.add == 0 && len(c.used)*digestSize == len(c.known) {
		return nil
	}
	keys := make([][digestSize]byte, 0, len(c.used))
	for d := range c.used {
		keys = append(keys, d)
	}
	slices.SortFunc(keys, func(a, b [digestSize]byte) int { return bytes.Compare(a[:], b[:]) })
	var buf bytes.Buffer
	buf.Grow(len(cacheMagic) + len(schemaID) + 1 + len(keys)*digestSize)
	buf.WriteString(cacheMagic + schemaID + "\n")
	for _, k := range keys {
		buf.Write(k[:])
	}
	if err := atomicfile.WriteBytes(c.path, 0o644, false, buf.Bytes()); err != nil {
		return fmt.Errorf("saving the schema cache: %w", err)
	}
	c.known = buf.Bytes()[len(cacheMagic)+len(schemaID)+1:]
	c.add = 0
	return nil
}
