package decisionlog

import (
	"context"
	"time"
)

// Log is an append-only decision log. There is no update or delete: entries
// leave only through the retention policy.
type Log interface {
	// Append validates and stores entries in order, durably, and returns
	// them with ID and RecordedAt set. Either all are stored or none.
	Append(ctx context.Context, entries ...Entry) ([]Entry, error)
	// List returns the entries the filter selects, oldest first (by ID).
	List(ctx context.Context, f Filter) ([]Entry, error)
	Close() error
}

// Retainer is a Log with a retention policy.
type Retainer interface {
	// Compact deletes the entries the retention policy no longer keeps at
	// now and returns how many it deleted. Kept entries are never changed.
	Compact(ctx context.Context, now time.Time) (int, error)
}

// Options configure every Log implementation.
type Options struct {
	// MaxAge is the retention: entries recorded more than MaxAge ago may
	// be deleted by Compact (the file log drops whole days, so it may keep
	// an entry up to a day longer). 0 keeps everything.
	MaxAge time.Duration
	// Now is the clock that stamps RecordedAt (tests); nil means time.Now.
	Now func() time.Time
}

// FileOptions configure a FileLog.
type FileOptions = Options

// CompactEvery runs l's Compact every interval until ctx ends, reporting
// errors to onErr (may be nil).
func CompactEvery(ctx context.Context, l Retainer, interval time.Duration, now func() time.Time, onErr func(error)) {
	if now == nil {
		now = time.Now
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := l.Compact(ctx, now()); err != nil && onErr != nil && ctx.Err() == nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
