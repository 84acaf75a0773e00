package runner

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// timeline collects what happened, from every source, and prints each
// entry as it arrives, stamped with the time since the rollout began.
type timeline struct {
	mu      sync.Mutex
	out     io.Writer
	start   time.Time
	entries []Entry
}

func (t *timeline) add(at time.Time, source, format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := Entry{At: at, Offset: at.Sub(t.start).Seconds(), Source: source, Text: fmt.Sprintf(format, args...)}
	t.entries = append(t.entries, e)
	fmt.Fprintf(t.out, "T%+7.1fs  %-12s %s\n", e.Offset, e.Source, e.Text)
}

func (t *timeline) list() []Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Entry(nil), t.entries...)
}
