package events

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

// checkDecoded drains d and checks what every accepted event must satisfy.
func checkDecoded(t *testing.T, d Decoder) {
	for i := 0; ; i++ {
		if i > 1<<20 {
			t.Fatal("decoder does not terminate")
		}
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var le *LineError
		if errors.As(err, &le) {
			if le.Line < 1 {
				t.Fatalf("line error without a line number: %v", le)
			}
			continue
		}
		if err != nil {
			return // a file-level error ends the file
		}
		if ev.Name == "" || ev.Unit == "" || ev.ID == "" {
			t.Fatalf("accepted an event without name, unit or id: %+v", ev)
		}
		for _, s := range []string{ev.Name, ev.Unit, ev.ID} {
			if !utf8.ValidString(s) || bytes.IndexByte([]byte(s), 0) >= 0 {
				t.Fatalf("accepted invalid text %q", s)
			}
		}
		if ev.Time.IsZero() || ev.Time.Location().String() != "UTC" || ev.Time.Year() < minYear || ev.Time.Year() > maxYear {
			t.Fatalf("accepted an invalid time %v", ev.Time)
		}
		if ev.Properties == nil {
			t.Fatalf("accepted nil properties")
		}
	}
}

func FuzzDecodeNDJSON(f *testing.F) {
	f.Add([]byte(oneNDJSON))
	f.Add([]byte(`{"type":"track","event":"x","userId":5,"timestamp":1714566645000.5,"properties":{"a":[1,{"b":null}]},"messageId":9}`))
	f.Add([]byte(`{"event":"x","distinct_id":"d","timestamp":"2024-05-01 00:00:00+0100","uuid":""}` + "\n\n{}\n[\n"))
	f.Add([]byte("\uFEFF{\"event\":\"\\u0000\"}\r\n{\"type\":\"page\"}"))
	f.Add([]byte(`{"event":"e","user_id":"u","timestamp":"9999-12-31T23:59:59-23:59"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, NewNDJSONDecoder(bytes.NewReader(data), "fuzz.ndjson"))
	})
}

func FuzzDecodeCSV(f *testing.F) {
	f.Add([]byte(oneCSV))
	f.Add([]byte("event,user_id,timestamp,id,properties,properties.amount,x\ne,u,1714566645000,1,\"{\"\"a\"\":1}\",2.5,007\n"))
	f.Add([]byte("event,user_id,timestamp\n\"e\nx\",u,2024-05-01\ne,\"u,2024\n"))
	f.Add([]byte("event,user_id,timestamp,properties\ne,u,2024-05-01,[1]\n,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, NewCSVDecoder(bytes.NewReader(data), "fuzz.csv"))
	})
}
