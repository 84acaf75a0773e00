package events

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

const oneNDJSON = `{"event":"a","user_id":"u","timestamp":"2024-05-01T00:00:00Z"}` + "\n"
const oneCSV = "event,user_id,timestamp\na,u,2024-05-01T00:00:00Z\n"

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecoderForByExtension(t *testing.T) {
	cases := []struct {
		path string
		data []byte
	}{
		{"x.ndjson", []byte(oneNDJSON)},
		{"x.jsonl", []byte(oneNDJSON)},
		{"x.json", []byte(oneNDJSON)},
		{"dir.v2/X.NDJSON", []byte(oneNDJSON)},
		{"x.csv", []byte(oneCSV)},
		{"x.ndjson.gz", gzipped(t, oneNDJSON)},
		{"x.csv.GZ", gzipped(t, oneCSV)},
	}
	for _, c := range cases {
		d, err := DecoderFor(c.path, bytes.NewReader(c.data))
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		evs, lineErrs, fatal := decodeAll(t, d)
		if fatal != nil || len(lineErrs) != 0 || len(evs) != 1 || evs[0].Name != "a" {
			t.Errorf("%s: got %v %v %v, want one event", c.path, evs, lineErrs, fatal)
		}
	}
}

func TestDecoderForRejects(t *testing.T) {
	cases := []struct {
		path string
		data []byte
		msg  string
	}{
		{"x.txt", []byte(oneNDJSON), `unknown event file type ".txt"`},
		{"x", []byte(oneNDJSON), "unknown event file type"},
		{"x.gz", gzipped(t, oneNDJSON), "unknown event file type"},
		{"x.ndjson.gz", []byte(oneNDJSON), "not a readable gzip file"},
	}
	for _, c := range cases {
		_, err := DecoderFor(c.path, bytes.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), c.path) {
			t.Errorf("%s: got %v, want an error naming the file and mentioning %q", c.path, err, c.msg)
		}
	}
}

func TestTruncatedGzipIsFatalNotALineError(t *testing.T) {
	data := gzipped(t, strings.Repeat(oneNDJSON, 1000))
	d, err := DecoderFor("x.ndjson.gz", bytes.NewReader(data[:len(data)/2]))
	if err != nil {
		t.Fatal(err)
	}
	evs, _, fatal := decodeAll(t, d)
	if fatal == nil {
		t.Fatalf("truncated gzip: decoded %d events and no error", len(evs))
	}
	if !strings.HasPrefix(fatal.Error(), "x.ndjson.gz") {
		t.Errorf("error %q should name the file", fatal)
	}
}

func TestLineErrorFormat(t *testing.T) {
	if got := (&LineError{File: "f.csv", Line: 3, Field: "timestamp", Msg: "bad"}).Error(); got != "f.csv:3: timestamp: bad" {
		t.Errorf("got %q", got)
	}
	if got := (&LineError{File: "f.csv", Line: 3, Msg: "bad"}).Error(); got != "f.csv:3: bad" {
		t.Errorf("got %q", got)
	}
}
