package events

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNDJSONThreeShapes(t *testing.T) {
	input := strings.Join([]string{
		// liftgate's own shape, epoch milliseconds as a number.
		`{"event":"purchase","user_id":"u1","timestamp":1714566645000,"properties":{"amount":12.5,"sku":"A-1"},"id":"e1"}`,
		// Segment track call: userId wins over anonymousId.
		`{"type":"track","event":"Order Completed","userId":"u2","anonymousId":"anon-9","timestamp":"2024-05-01T14:30:45+02:00","properties":{"revenue":30},"messageId":"seg-1","context":{"ip":"1.2.3.4"}}`,
		// Segment without userId falls back to anonymousId.
		`{"type":"track","event":"Viewed","userId":null,"anonymousId":"anon-7","timestamp":"2024-05-01T12:30:45Z","messageId":"seg-2"}`,
		// PostHog.
		`{"event":"$feature_flag_called","distinct_id":"ph-3","timestamp":"2024-05-01 12:30:45.000000","properties":{"$feature_flag":"checkout","$feature_flag_response":"test"},"uuid":"0190-abc"}`,
		// Numeric unit ids are kept as written (no float rounding).
		`{"event":"e","user_id":12345678901234567890,"timestamp":"1714566645000"}`,
	}, "\n")
	evs, lineErrs, fatal := decodeAll(t, NewNDJSONDecoder(strings.NewReader(input), "in.ndjson"))
	if fatal != nil || len(lineErrs) != 0 {
		t.Fatalf("unexpected errors: %v %v", fatal, lineErrs)
	}
	at := time.Date(2024, 5, 1, 12, 30, 45, 0, time.UTC)
	want := []Event{
		{ID: "e1", Name: "purchase", Unit: "u1", Time: at, Properties: map[string]any{"amount": json.Number("12.5"), "sku": "A-1"}},
		{ID: "seg-1", Name: "Order Completed", Unit: "u2", Time: at, Properties: map[string]any{"revenue": json.Number("30")}},
		{ID: "seg-2", Name: "Viewed", Unit: "anon-7", Time: at, Properties: map[string]any{}},
		{ID: "0190-abc", Name: "$feature_flag_called", Unit: "ph-3", Time: at, Properties: map[string]any{"$feature_flag": "checkout", "$feature_flag_response": "test"}},
		{Name: "e", Unit: "12345678901234567890", Time: at, Properties: map[string]any{}},
	}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i := range want {
		got := evs[i]
		if want[i].ID == "" {
			if len(got.ID) != 2*contentIDBytes {
				t.Errorf("event %d: generated id %q, want %d hex characters", i, got.ID, 2*contentIDBytes)
			}
			got.ID = ""
		}
		if !got.Time.Equal(want[i].Time) || got.Time.Location() != time.UTC {
			t.Errorf("event %d: time %v, want %v UTC", i, got.Time, want[i].Time)
		}
		got.Time = want[i].Time
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
}

func TestNDJSONSkipsNonTrackSegmentMessages(t *testing.T) {
	input := `{"type":"identify","userId":"u1","traits":{"plan":"pro"},"timestamp":"2024-05-01T12:00:00Z"}
{"type":"page","userId":"u1","name":"Home","timestamp":"2024-05-01T12:00:00Z"}
{"type":"track","event":"Signed Up","userId":"u1","timestamp":"2024-05-01T12:00:00Z"}
`
	d := NewNDJSONDecoder(strings.NewReader(input), "seg.ndjson")
	evs, lineErrs, fatal := decodeAll(t, d)
	if fatal != nil || len(lineErrs) != 0 {
		t.Fatalf("unexpected errors: %v %v", fatal, lineErrs)
	}
	if len(evs) != 1 || evs[0].Name != "Signed Up" {
		t.Fatalf("got %+v, want only the track event", evs)
	}
	if d.Skipped() != 2 {
		t.Errorf("Skipped() = %d, want 2", d.Skipped())
	}
}

func TestNDJSONRejectsBadLinesAndContinues(t *testing.T) {
	long := `{"event":"e","user_id":"u","timestamp":"2024-05-01T00:00:00Z","properties":{"pad":"` + strings.Repeat("x", MaxLineBytes) + `"}}`
	lines := []string{
		`{"event":"ok1","user_id":"u","timestamp":"2024-05-01T00:00:00Z"}`,                  // 1
		`{"user_id":"u","timestamp":"2024-05-01T00:00:00Z"}`,                                // 2 missing event
		`{"event":"","user_id":"u","timestamp":"2024-05-01T00:00:00Z"}`,                     // 3 empty event
		`{"event":7,"user_id":"u","timestamp":"2024-05-01T00:00:00Z"}`,                      // 4 event not a string
		`{"event":"e","timestamp":"2024-05-01T00:00:00Z"}`,                                  // 5 missing unit
		`{"event":"e","user_id":true,"timestamp":"2024-05-01T00:00:00Z"}`,                   // 6 unit of bad type
		`{"event":"e","user_id":"u"}`,                                                       // 7 missing timestamp
		`{"event":"e","user_id":"u","timestamp":"last tuesday"}`,                            // 8 unparseable timestamp
		`{"event":"e","user_id":"u","timestamp":1714566645}`,                                // 9 epoch seconds
		`{"event":"e","user_id":"u","timestamp":"2024-05-01T00:00:00Z","properties":[1,2]}`, // 10 properties not an object
		`{"event":"e","user_id":"u","timestamp":"2024-05-01T00:00:00Z","properties":"x"}`,   // 11 properties a string
		`{"event":"e","user_id":"u",`,                                                       // 12 invalid JSON
		`[1,2,3]`,                                                                           // 13 not an object
		``,                                                                                  // 14 blank: ignored
		`{"type":"track","event":"e","anonymousId":"","timestamp":"2024-05-01T00:00:00Z"}`,  // 15 Segment without unit
		`{"event":"e","distinct_id":"","timestamp":"2024-05-01T00:00:00Z"}`,                 // 16 PostHog without unit
		`{"event":"e","user_id":"u","timestamp":"2024-05-01T00:00:00Z","id":{"a":1}}`,       // 17 id of bad type
		`{"event":"e\u0000x","user_id":"u","timestamp":"2024-05-01T00:00:00Z"}`,             // 18 NUL in event name
		`{"type":7,"event":"e","userId":"u","timestamp":"2024-05-01T00:00:00Z"}`,            // 19 Segment type not a string
		long, // 20 too long
		`{"event":"e","user_id":"u","timestamp":"2024-05-01T00:00:00Z"} {"x":1}`, // 21 two values
		`{"event":"ok2","user_id":"u","timestamp":"2024-05-01T00:00:00Z"}`,       // 22
	}
	wantErrs := []struct {
		line  int
		field string
		msg   string
	}{
		{2, "event", "missing event name"},
		{3, "event", "event name is empty"},
		{4, "event", "must be a string, got a number"},
		{5, "user_id", "missing unit"},
		{6, "user_id", "got a boolean"},
		{7, "timestamp", "missing timestamp"},
		{8, "timestamp", "not RFC 3339"},
		{9, "timestamp", "epoch seconds"},
		{10, "properties", "must be a JSON object, got an array"},
		{11, "properties", "got a string"},
		{12, "", "invalid JSON"},
		{13, "", "expected a JSON object, got an array"},
		{15, "userId/anonymousId", "missing unit"},
		{16, "distinct_id", "missing unit"},
		{17, "id", "got an object"},
		{18, "event", "NUL"},
		{19, "type", "must be a string"},
		{20, "", "longer than"},
		{21, "", "more than one value"},
	}
	input := strings.Join(lines, "\r\n") // CRLF line ends are fine too
	evs, lineErrs, fatal := decodeAll(t, NewNDJSONDecoder(strings.NewReader(input), "bad.ndjson"))
	if fatal != nil {
		t.Fatal(fatal)
	}
	if len(evs) != 2 || evs[0].Name != "ok1" || evs[1].Name != "ok2" {
		t.Errorf("accepted %+v, want ok1 and ok2", evs)
	}
	if len(lineErrs) != len(wantErrs) {
		t.Fatalf("got %d line errors, want %d:\n%v", len(lineErrs), len(wantErrs), lineErrs)
	}
	for i, w := range wantErrs {
		le := lineErrs[i]
		if le.File != "bad.ndjson" || le.Line != w.line || le.Field != w.field || !strings.Contains(le.Msg, w.msg) {
			t.Errorf("error %d = %q (line %d, field %q), want line %d, field %q, message containing %q",
				i, le.Error(), le.Line, le.Field, w.line, w.field, w.msg)
		}
	}
}

func TestNDJSONBOMAndBlankLines(t *testing.T) {
	input := "\uFEFF{\"event\":\"a\",\"user_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\"}\n\n   \n{\"event\":\"b\",\"user_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\"}"
	evs, lineErrs, fatal := decodeAll(t, NewNDJSONDecoder(strings.NewReader(input), "bom.ndjson"))
	if fatal != nil || len(lineErrs) != 0 || len(evs) != 2 {
		t.Fatalf("got %v %v %v, want two events", evs, lineErrs, fatal)
	}
	// The last line has no newline; its number must still be 4.
	_, lineErrs, _ = decodeAll(t, NewNDJSONDecoder(strings.NewReader("\n\n\n{"), "x.ndjson"))
	if len(lineErrs) != 1 || lineErrs[0].Line != 4 {
		t.Errorf("got %v, want one error on line 4", lineErrs)
	}
}

func TestNDJSONArrayFileIsFatal(t *testing.T) {
	_, _, fatal := decodeAll(t, NewNDJSONDecoder(strings.NewReader("[\n{\"event\":\"a\"}\n]\n"), "arr.json"))
	if fatal == nil || !strings.Contains(fatal.Error(), "JSON array") {
		t.Fatalf("got %v, want a file-level error about a JSON array", fatal)
	}
}

func TestContentIDIsCanonical(t *testing.T) {
	// The same event written three ways: key order, spacing and timestamp
	// format differ; the content does not.
	input := `{"event":"buy","user_id":"u1","timestamp":"2024-05-01T12:30:45Z","properties":{"a":1,"b":"x"}}
{"properties": {"b": "x", "a": 1}, "timestamp": 1714566645000, "user_id": "u1", "event": "buy"}
{"event":"buy","user_id":"u1","timestamp":"2024-05-01T14:30:45+02:00","properties":{"b":"x","a":1}}
{"event":"buy","user_id":"u1","timestamp":"2024-05-01T12:30:45Z","properties":{"a":2,"b":"x"}}
{"event":"buy","user_id":"u2","timestamp":"2024-05-01T12:30:45Z","properties":{"a":1,"b":"x"}}
{"event":"buy","user_id":"u1","timestamp":"2024-05-01T12:30:46Z","properties":{"a":1,"b":"x"}}
`
	evs, lineErrs, fatal := decodeAll(t, NewNDJSONDecoder(strings.NewReader(input), "ids.ndjson"))
	if fatal != nil || len(lineErrs) != 0 || len(evs) != 6 {
		t.Fatalf("got %v %v %v", evs, lineErrs, fatal)
	}
	if evs[0].ID != evs[1].ID || evs[0].ID != evs[2].ID {
		t.Errorf("same content, different ids: %q %q %q", evs[0].ID, evs[1].ID, evs[2].ID)
	}
	seen := map[string]int{}
	for i := 2; i < 6; i++ {
		if j, dup := seen[evs[i].ID]; dup {
			t.Errorf("events %d and %d differ but share id %q", j, i, evs[i].ID)
		}
		seen[evs[i].ID] = i
	}
}
