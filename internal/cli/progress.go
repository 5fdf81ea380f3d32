package cli

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// progress shows "casefile: <label> done/total" on stderr when stderr is a
// terminal and the work takes longer than a moment; elsewhere it is
// silent. update may be called from any goroutine.
type progress struct {
	done, total atomic.Int64
	stopc       chan struct{}
	finished    chan struct{}
}

func (env *Env) startProgress(label string) *progress {
	p := &progress{}
	if !reportTTY(env.Stderr) {
		return p
	}
	p.stopc, p.finished = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.finished)
		shown := false
		delay := time.NewTimer(300 * time.Millisecond)
		defer delay.Stop()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stopc:
				if shown {
					fmt.Fprint(env.Stderr, "\r\033[K")
				}
				return
			case <-delay.C:
				shown = true
			case <-tick.C:
			}
			if shown && p.total.Load() > 0 {
				fmt.Fprintf(env.Stderr, "\rcasefile: %s %d/%d\033[K", label, p.done.Load(), p.total.Load())
			}
		}
	}()
	return p
}

func (p *progress) update(done, total int) {
	p.done.Store(int64(done))
	p.total.Store(int64(total))
}

func (p *progress) stop() {
	if p.stopc != nil {
		close(p.stopc)
		<-p.finished
	}
}

func reportTTY(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}
