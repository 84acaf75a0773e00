package decisionlog

import "context"

// Log is an append-only decision log. There is no update or delete: entries
// leave only through the retention policy.
type Log interface {
	// Append validates and stores entries in order, durably, and returns
	// them with ID and RecordedAt set. Either all are stored or none.
	Append(ctx context.Context, entries ...Entry) ([]Entry, error)
	// List returns the entries the filter selects, oldest first.
	List(ctx context.Context, f Filter) ([]Entry, error)
	Close() error
}
