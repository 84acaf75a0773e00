package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/liftgate/liftgate/pkg/events"
)

// EventError rejects one record of an ingestion request.
type EventError struct {
	// Index is the record's 0-based position in a JSON array or batch;
	// Line its 1-based line in an NDJSON body. Only one is set.
	Index *int   `json:"index,omitempty"`
	Line  int    `json:"line,omitempty"`
	Field string `json:"field,omitempty"`
	Error string `json:"error"`
}

// decodedBody is an ingestion request after decoding: the good events in
// order and one error per bad record.
type decodedBody struct {
	format  string // "ndjson", "array" or "batch"
	events  []events.Event
	errors  []EventError
	skipped int // Segment messages that are not track calls
}

// bodyFormatError rejects a body as a whole.
type bodyFormatError struct{ msg string }

func (e *bodyFormatError) Error() string { return e.msg }

// decodeBody reads the shapes `liftgate import` accepts, as one request:
// NDJSON (one event per line), a JSON array of events, a single event
// object, or a Segment / PostHog batch {"batch": [...]} (other top-level
// keys such as sentAt or api_key are ignored). Every record goes through the
// same decoder as `liftgate import`, so liftgate, Segment and PostHog event
// shapes are accepted and rejected alike. maxEvents caps the records.
func decodeBody(body []byte, maxEvents int) (*decodedBody, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte{0xEF, 0xBB, 0xBF}))
	if len(trimmed) == 0 {
		return nil, &bodyFormatError{"empty body: expected NDJSON, a JSON array of events or a {\"batch\": [...]} object"}
	}
	switch trimmed[0] {
	case '[':
		var records []json.RawMessage
		if err := json.Unmarshal(trimmed, &records); err != nil {
			return nil, &bodyFormatError{"body starts with '[' but is not a JSON array: " + err.Error()}
		}
		return decodeRecords("array", records, maxEvents)
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &obj); err == nil {
			if raw, ok := obj["batch"]; ok {
				var records []json.RawMessage
				if err := json.Unmarshal(raw, &records); err != nil {
					return nil, &bodyFormatError{"batch: expected a JSON array of events: " + err.Error()}
				}
				return decodeRecords("batch", records, maxEvents)
			}
			// One event, possibly pretty-printed over several lines.
			return decodeRecords("ndjson", []json.RawMessage{trimmed}, maxEvents)
		}
	}
	return decodeNDJSON(body, maxEvents)
}

// decodeRecords decodes array elements by turning each into one NDJSON line
// (compacted, so a pretty-printed element stays on its line).
func decodeRecords(format string, records []json.RawMessage, maxEvents int) (*decodedBody, error) {
	if len(records) > maxEvents {
		return nil, &tooManyEventsError{n: len(records), max: maxEvents}
	}
	var lines bytes.Buffer
	var pre []EventError
	for i, r := range records {
		r = bytes.TrimSpace(r)
		if len(r) == 0 || r[0] != '{' {
			// Not an object: reject here (the line decoder would take a
			// leading '[' for a whole file in the wrong format) and keep
			// the line numbering with an empty line.
			idx := i
			pre = append(pre, EventError{Index: &idx, Error: "expected a JSON object (one event), got " + jsonKind(r)})
			lines.WriteByte('\n')
			continue
		}
		if err := json.Compact(&lines, r); err != nil {
			idx := i
			pre = append(pre, EventError{Index: &idx, Error: "invalid JSON: " + err.Error()})
		}
		lines.WriteByte('\n')
	}
	d, err := decodeLines(lines.Bytes(), maxEvents)
	if err != nil {
		return nil, err
	}
	d.format = format
	for i := range d.errors {
		idx := d.errors[i].Line - 1
		d.errors[i].Index, d.errors[i].Line = &idx, 0
	}
	d.errors = mergeByIndex(pre, d.errors)
	return d, nil
}

func decodeNDJSON(body []byte, maxEvents int) (*decodedBody, error) {
	d, err := decodeLines(body, maxEvents)
	if err != nil {
		return nil, err
	}
	d.format = "ndjson"
	return d, nil
}

// decodeLines runs the import decoder over NDJSON text.
func decodeLines(text []byte, maxEvents int) (*decodedBody, error) {
	dec := events.NewNDJSONDecoder(bytes.NewReader(text), "request")
	d := &decodedBody{}
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var lineErr *events.LineError
		switch {
		case errors.As(err, &lineErr):
			d.errors = append(d.errors, EventError{Line: lineErr.Line, Field: lineErr.Field, Error: lineErr.Msg})
		case err != nil:
			return nil, &bodyFormatError{err.Error()}
		default:
			d.events = append(d.events, ev)
		}
		if len(d.events)+len(d.errors) > maxEvents {
			return nil, &tooManyEventsError{n: len(d.events) + len(d.errors), max: maxEvents}
		}
	}
	d.skipped = dec.Skipped()
	return d, nil
}

// mergeByIndex merges two index-sorted error lists.
func mergeByIndex(a, b []EventError) []EventError {
	out := make([]EventError, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if *a[0].Index <= *b[0].Index {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

type tooManyEventsError struct{ n, max int }

func (e *tooManyEventsError) Error() string {
	return fmt.Sprintf("more than %d events in one request (got at least %d); split it into smaller batches", e.max, e.n)
}

func jsonKind(raw []byte) string {
	switch {
	case len(raw) == 0:
		return "nothing"
	case raw[0] == '[':
		return "an array"
	case raw[0] == '"':
		return "a string"
	case raw[0] == 't' || raw[0] == 'f':
		return "a boolean"
	case raw[0] == 'n':
		return "null"
	}
	return "a number"
}
