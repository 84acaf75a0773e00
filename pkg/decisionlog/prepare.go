package decisionlog

import (
	"encoding/json"
	"fmt"
	"time"
)

// Prepare is what every Log does to a batch before writing anything:
// stamp RecordedAt with now, give Reasons its empty list, validate each
// entry and try encoding it (which fails only on values JSON cannot hold,
// a NaN or a year after 9999). One bad entry fails the whole batch, naming
// the entry and its field. IDs are left to the log.
func Prepare(entries []Entry, now time.Time) ([]Entry, error) {
	out := make([]Entry, len(entries))
	for i, e := range entries {
		e.ID, e.RecordedAt = 0, now
		if e.Reasons == nil {
			e.Reasons = []string{}
		}
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		if _, err := json.Marshal(e); err != nil {
			return nil, fmt.Errorf("entry %d: encoding: %w", i, err)
		}
		out[i] = e
	}
	return out, nil
}

// Decode reads an entry a store kept as JSON (the authoritative copy; the
// store's other columns only narrow its query) and reports whether f keeps
// it, exactly: a store filters coarsely in SQL where its columns are
// coarser than the entry (whole seconds, microseconds).
func Decode(id int64, doc []byte, f Filter) (Entry, bool, error) {
	var e Entry
	if err := json.Unmarshal(doc, &e); err != nil {
		return Entry{}, false, fmt.Errorf("row id %d: entry is not a decision log entry: %w", id, err)
	}
	return e, f.Match(&e), nil
}
