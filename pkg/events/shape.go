package events

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// shape names the field names of one accepted event format.
type shape struct {
	name      string
	units     []string // unit fields, first non-empty wins
	id        string
	typeField string // Segment's message type; "" when the format has none
}

var (
	liftgateShape = shape{name: "liftgate", units: []string{"user_id"}, id: "id"}
	segmentShape  = shape{name: "Segment", units: []string{"userId", "anonymousId"}, id: "messageId", typeField: "type"}
	posthogShape  = shape{name: "PostHog", units: []string{"distinct_id"}, id: "uuid"}
)

// detectShape picks the format by its distinctive keys: distinct_id means
// PostHog; userId, anonymousId, messageId or type mean Segment; anything else
// is liftgate's own. Each line is detected on its own, so files may mix them.
func detectShape(obj map[string]any) shape {
	if _, ok := obj["distinct_id"]; ok {
		return posthogShape
	}
	for _, k := range []string{"userId", "anonymousId", "messageId", "type"} {
		if _, ok := obj[k]; ok {
			return segmentShape
		}
	}
	return liftgateShape
}

// fieldError is a rejection of one field of one record; decoders add the
// file and line.
type fieldError struct {
	field string
	msg   string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func rejectf(field, format string, args ...any) *fieldError {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// eventFromObject maps one decoded JSON object to an Event. skip is true for
// Segment messages that are not "track" calls (identify, page, ...): they
// carry no event to analyse and are passed over rather than rejected, so a
// raw Segment export imports without errors.
func eventFromObject(obj map[string]any) (ev Event, skip bool, ferr *fieldError) {
	sh := detectShape(obj)
	if sh.typeField != "" {
		if t, ok := obj[sh.typeField]; ok && t != nil {
			ts, isString := t.(string)
			if !isString {
				return Event{}, false, rejectf(sh.typeField, "must be a string, got %s", jsonKind(t))
			}
			if ts != "track" {
				return Event{}, true, nil
			}
		}
	}

	name, ferr := stringField(obj, "event", "event name")
	if ferr != nil {
		return Event{}, false, ferr
	}
	unit, ferr := unitField(obj, sh)
	if ferr != nil {
		return Event{}, false, ferr
	}
	at, ferr := timeField(obj["timestamp"], "timestamp")
	if ferr != nil {
		return Event{}, false, ferr
	}
	props, ferr := propertiesField(obj["properties"], "properties")
	if ferr != nil {
		return Event{}, false, ferr
	}
	id, ferr := idField(obj[sh.id], sh.id)
	if ferr != nil {
		return Event{}, false, ferr
	}
	ev = Event{ID: id, Name: name, Unit: unit, Time: at, Properties: props}
	if ev.ID == "" {
		ev.ID = ContentID(ev)
	}
	return ev, false, nil
}

// zonelessTime reports whether obj's timestamp is text without a time zone
// (read as UTC); epoch milliseconds are UTC by definition.
func zonelessTime(obj map[string]any) bool {
	s, ok := obj["timestamp"].(string)
	return ok && Zoneless(s)
}

// stringField reads a required, non-empty string.
func stringField(obj map[string]any, field, what string) (string, *fieldError) {
	v, ok := obj[field]
	if !ok || v == nil {
		return "", rejectf(field, "missing %s", what)
	}
	s, ok := v.(string)
	if !ok {
		return "", rejectf(field, "%s must be a string, got %s", what, jsonKind(v))
	}
	if s == "" {
		return "", rejectf(field, "%s is empty", what)
	}
	return s, checkText(field, what, s)
}

// unitField reads the unit from the shape's unit fields, the first non-empty
// one winning (Segment: userId, else anonymousId). Numbers are accepted and
// kept as written.
func unitField(obj map[string]any, sh shape) (string, *fieldError) {
	for _, f := range sh.units {
		v, ok := obj[f]
		if !ok || v == nil {
			continue
		}
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		default:
			return "", rejectf(f, "unit must be a string or a number, got %s", jsonKind(v))
		}
		if s == "" {
			continue
		}
		return s, checkText(f, "unit", s)
	}
	return "", rejectf(strings.Join(sh.units, "/"),
		"missing unit (%s format; liftgate uses user_id, Segment userId or anonymousId, PostHog distinct_id)", sh.name)
}

// timeField reads a timestamp given as text or as a JSON number (epoch ms).
func timeField(v any, field string) (time.Time, *fieldError) {
	var s string
	switch x := v.(type) {
	case nil:
		return time.Time{}, rejectf(field, "missing timestamp")
	case string:
		s = x
	case json.Number:
		s = x.String()
	default:
		return time.Time{}, rejectf(field, "timestamp must be a string or a number, got %s", jsonKind(v))
	}
	t, err := ParseTimestamp(s)
	if err != nil {
		return time.Time{}, rejectf(field, "%v", err)
	}
	return t, nil
}

// propertiesField reads an optional JSON object of properties.
func propertiesField(v any, field string) (map[string]any, *fieldError) {
	switch x := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return x, nil
	default:
		return nil, rejectf(field, "properties must be a JSON object, got %s", jsonKind(v))
	}
}

// idField reads an optional event id (string or number).
func idField(v any, field string) (string, *fieldError) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, checkText(field, "id", x)
	case json.Number:
		return x.String(), nil
	default:
		return "", rejectf(field, "id must be a string or a number, got %s", jsonKind(v))
	}
}

// checkText rejects what a store cannot hold as a key column: invalid UTF-8
// and NUL bytes.
func checkText(field, what, s string) *fieldError {
	if !utf8.ValidString(s) {
		return rejectf(field, "%s is not valid UTF-8", what)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return rejectf(field, "%s contains a NUL character", what)
	}
	return nil
}

// jsonKind names the JSON type of a decoded value for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
