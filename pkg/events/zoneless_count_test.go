package events

import (
	"strings"
	"testing"
)

// The decoders count accepted events whose timestamp text had no zone;
// zoned texts, epoch milliseconds (text or JSON number), rejected lines and
// skipped Segment messages do not count.
func TestDecodersCountZonelessTimestamps(t *testing.T) {
	ndjson := strings.Join([]string{
		`{"event":"a","user_id":"u1","timestamp":"2024-05-01T10:00:00"}`,               // zoneless
		`{"event":"a","user_id":"u1","timestamp":"2024-05-01 10:00:00.5"}`,             // zoneless, space, fraction
		`{"event":"a","user_id":"u1","timestamp":"2024-05-01"}`,                        // zoneless date
		`{"event":"a","user_id":"u1","timestamp":"2024-05-01T10:00:00Z"}`,              // Z
		`{"event":"a","user_id":"u1","timestamp":"2024-05-01T10:00:00+02:00"}`,         // offset
		`{"event":"a","user_id":"u1","timestamp":"2024-05-01 10:00:00 +00:00"}`,        // spaced offset
		`{"event":"a","user_id":"u1","timestamp":1714608000000}`,                       // epoch ms number
		`{"event":"a","user_id":"u1","timestamp":"1714608000000"}`,                     // epoch ms text
		`{"event":"a","timestamp":"2024-05-01T10:00:00"}`,                              // rejected: no unit
		`{"type":"identify","userId":"u2","timestamp":"2024-05-01T10:00:00"}`,          // skipped
		`{"type":"track","event":"a","userId":"u2","timestamp":"2024-05-01T11:00:00"}`, // zoneless, Segment
	}, "\n")
	d := NewNDJSONDecoder(strings.NewReader(ndjson), "z.ndjson")
	evs, lineErrs, fatal := decodeAll(t, d)
	if fatal != nil || len(evs) != 9 || len(lineErrs) != 1 {
		t.Fatalf("decoded %d events, %d line errors, fatal %v; want 9, 1, nil", len(evs), len(lineErrs), fatal)
	}
	if got := d.Zoneless(); got != 4 {
		t.Errorf("NDJSON zoneless = %d, want 4", got)
	}
	if d.Skipped() != 1 {
		t.Errorf("skipped = %d, want 1 (the identify message)", d.Skipped())
	}

	csv := "event,user_id,timestamp\n" +
		"a,u1,2024-05-01T10:00:00\n" + // zoneless
		"a,u1,2024-05-01T10:00:00Z\n" +
		"a,u1,1714608000000\n" +
		"a,,2024-05-01T10:00:00\n" + // rejected: no unit
		"a,u1,2024-05-01 23:59:59\n" // zoneless
	c := NewCSVDecoder(strings.NewReader(csv), "z.csv")
	evs, lineErrs, fatal = decodeAll(t, c)
	if fatal != nil || len(evs) != 4 || len(lineErrs) != 1 {
		t.Fatalf("CSV decoded %d events, %d line errors, fatal %v; want 4, 1, nil", len(evs), len(lineErrs), fatal)
	}
	if got := c.Zoneless(); got != 2 {
		t.Errorf("CSV zoneless = %d, want 2", got)
	}
}

// A zoneless timestamp is read as UTC: the counted events carry the same
// instant as their Z-suffixed twins.
func TestZonelessTimestampsAreUTC(t *testing.T) {
	d := NewNDJSONDecoder(strings.NewReader(
		`{"event":"a","user_id":"u1","timestamp":"2024-05-01T10:00:00"}`+"\n"+
			`{"event":"a","user_id":"u1","timestamp":"2024-05-01T10:00:00Z"}`), "z.ndjson")
	evs, _, fatal := decodeAll(t, d)
	if fatal != nil || len(evs) != 2 {
		t.Fatalf("decoded %d events, fatal %v", len(evs), fatal)
	}
	if !evs[0].Time.Equal(evs[1].Time) {
		t.Errorf("zoneless %v differs from UTC %v", evs[0].Time, evs[1].Time)
	}
	if d.Zoneless() != 1 {
		t.Errorf("zoneless = %d, want 1", d.Zoneless())
	}
}
