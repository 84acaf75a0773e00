package server

import (
	"bytes"
	"strings"
	"testing"
)

func TestDecodeBodyShapes(t *testing.T) {
	liftgate := `{"id":"e1","event":"purchase","user_id":"u1","timestamp":"2026-11-02T10:00:00Z","properties":{"amount":12.5}}`
	segment := `{"type":"track","messageId":"m1","userId":"u2","event":"purchase","timestamp":"2026-11-02T10:00:00Z","properties":{"amount":3}}`
	identify := `{"type":"identify","messageId":"m2","userId":"u2","traits":{}}`
	posthog := `{"uuid":"p1","distinct_id":"u3","event":"purchase","timestamp":"2026-11-02T10:00:00Z","properties":{}}`
	bad := `{"event":"purchase","timestamp":"2026-11-02T10:00:00Z"}`
	badSegment := `{"type":"track","event":"purchase","timestamp":"2026-11-02T10:00:00Z"}`

	cases := []struct {
		name, body string
		format     string
		ids        []string
		skipped    int
		errAt      []int // index (array/batch) or line (ndjson) of each error
		errField   string
	}{
		{"ndjson", liftgate + "\n\n" + posthog + "\n" + bad + "\n", "ndjson", []string{"e1", "p1"}, 0, []int{4}, "user_id"},
		{"single pretty object", "{\n  \"id\": \"e1\",\n  \"event\": \"purchase\",\n  \"user_id\": \"u1\",\n  \"timestamp\": \"2026-11-02T10:00:00Z\"\n}", "ndjson", []string{"e1"}, 0, nil, ""},
		{"array", "[" + liftgate + ",\n" + bad + ", 7, " + posthog + "]", "array", []string{"e1", "p1"}, 0, []int{1, 2}, "user_id"},
		{"segment batch", `{"batch":[` + segment + "," + identify + "," + badSegment + `],"sentAt":"2026-11-02T10:00:01Z"}`, "batch", []string{"m1"}, 1, []int{2}, "userId/anonymousId"},
		{"posthog batch", `{"api_key":"k","batch":[` + posthog + `]}`, "batch", []string{"p1"}, 0, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := decodeBody([]byte(c.body), 1000)
			if err != nil {
				t.Fatal(err)
			}
			if d.format != c.format {
				t.Errorf("format = %s, want %s", d.format, c.format)
			}
			var ids []string
			for _, e := range d.events {
				ids = append(ids, e.ID)
			}
			if strings.Join(ids, ",") != strings.Join(c.ids, ",") {
				t.Errorf("ids = %v, want %v", ids, c.ids)
			}
			if d.skipped != c.skipped {
				t.Errorf("skipped = %d, want %d", d.skipped, c.skipped)
			}
			if len(d.errors) != len(c.errAt) {
				t.Fatalf("errors = %+v, want %d", d.errors, len(c.errAt))
			}
			for i, e := range d.errors {
				at := e.Line
				if e.Index != nil {
					at = *e.Index
				}
				if at != c.errAt[i] {
					t.Errorf("error %d at %d, want %d (%+v)", i, at, c.errAt[i], e)
				}
			}
			if c.errField != "" && d.errors[0].Field != c.errField && d.errors[len(d.errors)-1].Field != c.errField {
				t.Errorf("errors %+v do not name field %s", d.errors, c.errField)
			}
		})
	}
}

func TestDecodeBodyRejectsWholeBodies(t *testing.T) {
	for name, body := range map[string]string{
		"empty":        "  \n",
		"broken array": `[{"a":1}`,
		"batch object": `{"batch":{"event":"x"}}`,
	} {
		if _, err := decodeBody([]byte(body), 10); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	many := bytes.Repeat([]byte(`{"id":"x","event":"e","user_id":"u","timestamp":"2026-11-02T10:00:00Z"}`+"\n"), 11)
	if _, err := decodeBody(many, 10); err == nil || !strings.Contains(err.Error(), "more than 10") {
		t.Errorf("11 events with a limit of 10: %v", err)
	}
	if _, err := decodeBody([]byte("["+strings.Repeat(`{},`, 10)+`{}]`), 10); err == nil {
		t.Error("an array of 11 with a limit of 10 was accepted")
	}
}

// FuzzDecodeBody: any body either fails as a whole or yields events and
// per-record errors, never a panic, and never more records than the limit.
func FuzzDecodeBody(f *testing.F) {
	for _, seed := range []string{
		`{"id":"e1","event":"purchase","user_id":"u1","timestamp":"2026-11-02T10:00:00Z"}`,
		`[{"userId":"u","event":"e","timestamp":1700000000000},[1],"x",null]`,
		`{"batch":[{"type":"page"},{"type":"track","anonymousId":"a","event":"e","timestamp":"2026-11-02T10:00:00Z"}]}`,
		"\xEF\xBB\xBF{\"distinct_id\":\"d\",\"event\":\"e\",\"timestamp\":\"2026-11-02\"}\n{",
		`[`, `{"batch":null}`, "\x00", `[{"a":1e999}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		const limit = 50
		d, err := decodeBody(body, limit)
		if err != nil {
			if d != nil {
				t.Fatal("an error came with a result")
			}
			return
		}
		if len(d.events)+len(d.errors) > limit {
			t.Fatalf("%d records over the limit %d", len(d.events)+len(d.errors), limit)
		}
		for _, e := range d.events {
			if e.ID == "" || e.Name == "" || e.Unit == "" || e.Time.IsZero() {
				t.Fatalf("accepted an incomplete event %+v", e)
			}
		}
		for _, e := range d.errors {
			if e.Error == "" || (e.Index == nil && e.Line == 0) {
				t.Fatalf("an error without a message or position: %+v", e)
			}
		}
	})
}
