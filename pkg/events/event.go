package events

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Event is one tracked event of one unit, as stores ingest it.
type Event struct {
	// ID makes ingestion idempotent: stores keep one event per ID. Decoders
	// fill it from the input or, when the input has none, with ContentID.
	ID string
	// Name is the event name, e.g. "experiment_viewed" or "purchase".
	Name string
	// Unit is the unit the event belongs to (liftgate's user_id, Segment's
	// userId or anonymousId, PostHog's distinct_id).
	Unit string
	// Time is when the event happened, in UTC, at microsecond precision.
	Time time.Time
	// Properties are the event's properties. Decoders produce JSON values:
	// string, json.Number (numbers keep their exact text, so a 19-digit
	// account id is not rounded through float64), bool, nil, []any and
	// map[string]any.
	Properties map[string]any
}

// contentIDBytes is how much of the SHA-256 digest a content ID keeps: 128
// bits, far from any realistic collision, in 32 hex characters.
const contentIDBytes = 16

// ContentID is a deterministic ID for an event that has none: a hash of its
// canonical content (name, unit, UTC time and properties with sorted keys).
// Re-importing the same file therefore yields the same IDs and inserts
// nothing new, whatever the input's key order, spacing or timestamp format.
// The price: two events with identical content and no ID collapse into one.
func ContentID(e Event) string {
	props := e.Properties
	if props == nil {
		props = map[string]any{}
	}
	// encoding/json sorts map keys, which makes the encoding canonical.
	canonical, err := json.Marshal([]any{e.Name, e.Unit, e.Time.UTC().Format(time.RFC3339Nano), props})
	if err != nil {
		// Only values no decoder produces (channels, NaN floats) fail; fall
		// back to the fields that always encode so the ID stays deterministic.
		canonical, _ = json.Marshal([]any{e.Name, e.Unit, e.Time.UTC().Format(time.RFC3339Nano)})
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:contentIDBytes])
}
