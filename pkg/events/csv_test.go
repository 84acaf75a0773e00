package events

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCSVColumnsAndProperties(t *testing.T) {
	input := "event,user_id,timestamp,id,properties,properties.amount,zip,note\n" +
		`purchase,u1,2024-05-01T12:30:45Z,e1,"{""sku"":""A-1"",""qty"":2}",12.50,007,hello` + "\n" +
		`purchase,u2,1714566645000,,,-3,12345,` + "\n" +
		`view,u3,2024-05-01 12:30:45,e3,,,,"multi` + "\n" + `line"` + "\n" +
		`view,u4,2024-05-01T12:30:45Z,e4,,1e3,99999999999999999999,1.5.5` + "\n"
	evs, lineErrs, fatal := decodeAll(t, NewCSVDecoder(strings.NewReader(input), "in.csv"))
	if fatal != nil || len(lineErrs) != 0 {
		t.Fatalf("unexpected errors: %v %v", fatal, lineErrs)
	}
	at := time.Date(2024, 5, 1, 12, 30, 45, 0, time.UTC)
	want := []Event{
		{ID: "e1", Name: "purchase", Unit: "u1", Time: at, Properties: map[string]any{
			"sku": "A-1", "qty": json.Number("2"), "amount": json.Number("12.50"), "zip": "007", "note": "hello"}},
		{Name: "purchase", Unit: "u2", Time: at, Properties: map[string]any{"amount": json.Number("-3"), "zip": json.Number("12345")}},
		{ID: "e3", Name: "view", Unit: "u3", Time: at, Properties: map[string]any{"note": "multi\nline"}},
		// 1e3 is a number; a 20-digit integer does not fit int64 and stays
		// text, like "1.5.5".
		{ID: "e4", Name: "view", Unit: "u4", Time: at, Properties: map[string]any{
			"amount": json.Number("1e3"), "zip": "99999999999999999999", "note": "1.5.5"}},
	}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d", len(evs), len(want))
	}
	for i := range want {
		got := evs[i]
		if want[i].ID == "" {
			if len(got.ID) != 2*contentIDBytes {
				t.Errorf("event %d: generated id %q", i, got.ID)
			}
			got.ID = ""
		}
		if !got.Time.Equal(want[i].Time) {
			t.Errorf("event %d: time %v, want %v", i, got.Time, want[i].Time)
		}
		got.Time = want[i].Time
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("event %d:\n got %#v\nwant %#v", i, got, want[i])
		}
	}
}

func TestCSVSameEventAsNDJSONGetsSameID(t *testing.T) {
	csvIn := "event,user_id,timestamp,amount\nbuy,u1,2024-05-01T12:30:45Z,12.5\n"
	ndIn := `{"event":"buy","user_id":"u1","timestamp":1714566645000,"properties":{"amount":12.5}}`
	c, _, _ := decodeAll(t, NewCSVDecoder(strings.NewReader(csvIn), "a.csv"))
	n, _, _ := decodeAll(t, NewNDJSONDecoder(strings.NewReader(ndIn), "a.ndjson"))
	if len(c) != 1 || len(n) != 1 || c[0].ID != n[0].ID {
		t.Fatalf("csv %+v and ndjson %+v should decode to the same event id", c, n)
	}
}

func TestCSVRejectsBadRowsAndContinues(t *testing.T) {
	input := strings.Join([]string{
		"event,user_id,timestamp,properties,amount",   // 1
		"ok1,u,2024-05-01T00:00:00Z,,1",               // 2
		",u,2024-05-01T00:00:00Z,,",                   // 3 missing event
		"e,,2024-05-01T00:00:00Z,,",                   // 4 missing unit
		"e,u,,,",                                      // 5 missing timestamp
		"e,u,soon,,",                                  // 6 bad timestamp
		`e,u,2024-05-01T00:00:00Z,"[1]",`,             // 7 properties not an object
		`e,u,2024-05-01T00:00:00Z,{bad,`,              // 8 properties not JSON
		`e,u,2024-05-01T00:00:00Z,"{""amount"":2}",3`, // 9 property given twice
		"e,u,2024-05-01T00:00:00Z",                    // 10 too few fields
		`e,u"x,2024-05-01T00:00:00Z,,`,                // 11 bare quote
		"e,\xff,2024-05-01T00:00:00Z,,",               // 12 invalid UTF-8 unit
		"ok2,u,2024-05-01T00:00:00Z,,",                // 13
	}, "\n")
	wantErrs := []struct {
		line  int
		field string
		msg   string
	}{
		{3, "event", "missing event name"},
		{4, "user_id", "missing unit"},
		{5, "timestamp", "missing timestamp"},
		{6, "timestamp", "not RFC 3339"},
		{7, "properties", "expected a JSON object, got an array"},
		{8, "properties", "invalid JSON"},
		{9, "amount", "also in the properties column"},
		{10, "", "row has 3 fields, the header has 5"},
		{11, "", "invalid CSV"},
		{12, "user_id", "not valid UTF-8"},
	}
	evs, lineErrs, fatal := decodeAll(t, NewCSVDecoder(strings.NewReader(input), "bad.csv"))
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
		if le.File != "bad.csv" || le.Line != w.line || le.Field != w.field || !strings.Contains(le.Msg, w.msg) {
			t.Errorf("error %d = %q (line %d, field %q), want line %d, field %q, message containing %q",
				i, le.Error(), le.Line, le.Field, w.line, w.field, w.msg)
		}
	}
}

func TestCSVHeaderErrorsAreFatal(t *testing.T) {
	cases := []struct{ header, msg string }{
		{"event,timestamp", `missing column "user_id"`},
		{"user_id,timestamp", `missing column "event"`},
		{"event,user_id", `missing column "timestamp"`},
		{"event,user_id,timestamp,event", `"event" appears twice`},
		{"event,user_id,timestamp,,x", "column 4 has no name"},
		{"event,user_id,timestamp,amount,properties.amount", `property "amount" is given by two columns`},
		{"event,user_id,timestamp,properties.", "names no property"},
	}
	for _, c := range cases {
		input := c.header + "\ne,u,2024-05-01T00:00:00Z,1,2\n"
		evs, _, fatal := decodeAll(t, NewCSVDecoder(strings.NewReader(input), "h.csv"))
		if fatal == nil || !strings.Contains(fatal.Error(), c.msg) || !strings.HasPrefix(fatal.Error(), "h.csv:1: header:") {
			t.Errorf("header %q: got %v (events %v), want a fatal header error mentioning %q", c.header, fatal, evs, c.msg)
		}
	}
	// A BOM before the header is not part of the first column's name.
	evs, _, fatal := decodeAll(t, NewCSVDecoder(strings.NewReader("\uFEFFevent,user_id,timestamp\ne,u,2024-05-01T00:00:00Z\n"), "bom.csv"))
	if fatal != nil || len(evs) != 1 {
		t.Errorf("BOM header: got %v %v", evs, fatal)
	}
	// An empty file has no events and no error.
	evs, lineErrs, fatal := decodeAll(t, NewCSVDecoder(strings.NewReader(""), "empty.csv"))
	if fatal != nil || len(evs) != 0 || len(lineErrs) != 0 {
		t.Errorf("empty file: got %v %v %v", evs, lineErrs, fatal)
	}
}
