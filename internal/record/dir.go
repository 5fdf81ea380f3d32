package record

import (
	"errors"
	"runtime"
	"sync"
)

// Loaded is the outcome of loading one file: the document and its typed
// record, or the error.
type Loaded struct {
	Path   string
	Doc    *Doc
	Record *Record
	Err    error
}

// LoadFiles loads and decodes the files in parallel, keeping their order.
func LoadFiles(files []string) []Loaded {
	out := make([]Loaded, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] = loadOne(files[i])
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out
}

func loadOne(path string) Loaded {
	l := Loaded{Path: path}
	l.Doc, l.Err = Load(path)
	if l.Err != nil {
		return l
	}
	l.Record, l.Err = l.Doc.Record()
	if l.Err == nil && l.Record.ID == "" {
		l.Err = errors.New(path + ": record has no id")
	}
	return l
}
