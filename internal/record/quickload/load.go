// Package quickload reads record files for lint, list and reports, fast. yaml.v3 reads
// records at about 10 MB/s, so a report over 100,000 records would spend half
// a minute in the YAML parser. Records are written in casefile's canonical
// block style, which a small recursive-descent decoder reads tens of times
// faster straight into the typed model. Whatever that decoder does not
// handle (flow style, anchors, tags, multi-line plain scalars, a BOM, CRLF,
// anything unusual or invalid) goes to the full loader, record.Load, whose
// result and error messages are authoritative. A differential test and a
// fuzz target hold the decoder to yaml.v3's results.
package quickload

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/casefile/casefile/internal/record"
)

// Result is the outcome of loading one file.
type Result struct {
	Path   string
	Record *record.Record
	Err    error
}

// Stats counts how the files were read.
type Stats struct {
	Fast int // by the fast decoder
	Full int // by the full loader
}

// Options tune what Files keeps.
type Options struct {
	// Omit lists fields, as dotted YAML paths ("description",
	// "evidence.custody"), that the caller does not need: the fast decoder
	// reads and checks them but does not keep them, which saves memory on
	// large logs. Records from the full loader have every field.
	Omit []string
}

// Files loads files in parallel, keeping their order. done, when not nil, is
// called once per file as it finishes, from several goroutines.
func Files(files []string, opts Options, done func()) ([]Result, Stats) {
	p := planFor()
	if len(opts.Omit) > 0 {
		p = planOmitting(p, opts.Omit)
	}
	out := make([]Result, len(files))
	var next, full atomic.Int64
	workers := min(runtime.GOMAXPROCS(0), max(1, len(files)))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := worker{dec: decoder{plan: p}, reuse: len(opts.Omit) > 0}
			w.dec.clone = w.reuse
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				out[i] = w.load(files[i])
				if w.full {
					full.Add(1)
				}
				if done != nil {
					done()
				}
			}
		}()
	}
	wg.Wait()
	n := int(full.Load())
	return out, Stats{Fast: len(files) - n, Full: n}
}

type worker struct {
	buf []byte
	dec decoder
	// reuse reads every file into the same buffer; the decoder then copies
	// the strings it keeps. Without it each file gets a buffer of its own
	// that the record's strings share, which saves copying.
	reuse bool
	full  bool // the last file went to the full loader
}

func (w *worker) load(path string) Result {
	w.full = false
	if rec, ok := w.fast(path); ok {
		return checked(Result{Path: path, Record: rec})
	}
	w.full = true
	return fullLoad(path)
}

// checked refuses a record whose ID record.CheckID refuses: listings and
// reports print IDs, and one with a path or look-alike characters in it is
// not shown as if it were a record (lint names the schema violation).
func checked(res Result) Result {
	if res.Record == nil {
		return res
	}
	if err := record.CheckID(res.Record.ID); err != nil {
		return Result{Path: res.Path, Err: fmt.Errorf("%s: %w", res.Path, err)}
	}
	return res
}

// fast reads and decodes path; false sends it to the full loader, which
// also produces every error message.
func (w *worker) fast(path string) (*record.Record, bool) {
	var buf []byte
	if w.reuse {
		buf = w.buf
	}
	data, ok := readFile(path, buf)
	if !ok {
		return nil, false
	}
	if w.reuse {
		w.buf = data
	}
	if !plainText(data) {
		return nil, false
	}
	// The text aliases the buffer without a copy: with reuse, the decoder
	// copies what it keeps before the buffer is read into again; without,
	// the buffer is the file's own and never written again.
	rec, ok := w.dec.decode(unsafe.String(&data[0], len(data))) //nolint:gosec // G103: see above
	if !ok || rec.ID == "" {
		return nil, false
	}
	return rec, true
}

// fullLoad is record.LoadFiles for one file. A symbolic link is refused,
// as lint refuses it: it may lead to a file outside the repository.
func fullLoad(path string) Result {
	res := Result{Path: path}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		res.Err = fmt.Errorf("%s: record is a symbolic link; records must be regular files inside the repository", path)
		return res
	}
	doc, err := record.Load(path)
	if err != nil {
		res.Err = err
		return res
	}
	res.Record, res.Err = doc.Record()
	if res.Err == nil && res.Record.ID == "" {
		res.Err = fmt.Errorf("%s: record has no id", path)
	}
	if res.Err != nil {
		res.Record = nil
	}
	return checked(res)
}

// Each loads files in parallel (GOMAXPROCS workers) and calls fn with each
// file's index and result as soon as it is read, from several goroutines,
// keeping nothing itself: memory is what fn keeps. A record from the fast
// decoder shares a buffer that is read into again once fn returns, so fn
// must copy (strings.Clone) every string it keeps.
func Each(files []string, fn func(i int, res Result)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(files))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &Reader{dec: decoder{plan: planFor()}}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				if rec, _, ok := r.read(files[i]); ok && rec.ID != "" {
					fn(i, checked(Result{Path: files[i], Record: rec}))
					continue
				}
				fn(i, fullLoad(files[i]))
			}
		}()
	}
	wg.Wait()
}

// Reader reads record files one after another with the fast decoder,
// reusing its buffers. A Reader is not safe for concurrent use: give each
// goroutine its own.
type Reader struct {
	buf []byte
	dec decoder
}

// NewReader returns a Reader that also builds each file's JSON data model.
func NewReader() *Reader {
	return &Reader{dec: decoder{plan: planFor(), tree: true}}
}

// ReadTree reads the record file at path and decodes it into the typed
// record and the JSON data model, as record.Load, Doc.Data and Doc.Record
// would. Both share the Reader's buffer and are valid only until the next
// call: copy what must outlive it. ok is false when the file is not a
// regular file (a symbolic link included), cannot be read, or is not in the
// subset the fast decoder handles; the caller then uses record.Load, which
// gives the authoritative result and every error message.
func (r *Reader) ReadTree(path string) (rec *record.Record, tree map[string]any, ok bool) {
	return r.read(path)
}

func (r *Reader) read(path string) (*record.Record, map[string]any, bool) {
	data, ok := readFile(path, r.buf)
	if !ok {
		return nil, nil, false
	}
	r.buf = data
	if !plainText(data) {
		return nil, nil, false
	}
	return r.dec.decodeTree(unsafe.String(&data[0], len(data))) //nolint:gosec // G103: the decoder copies what it keeps before the buffer is reused
}
