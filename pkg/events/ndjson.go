package events

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxLineBytes bounds one NDJSON line. A longer line is rejected (and read
// past without buffering it), which keeps memory flat on malformed input such
// as a file without newlines.
const MaxLineBytes = 4 << 20

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

type ndjsonDecoder struct {
	r        *bufio.Reader
	file     string
	line     int
	skipped  int
	zoneless int
	buf      []byte
}

// NewNDJSONDecoder decodes one JSON object per line in liftgate's, Segment's
// or PostHog's shape. Blank lines are ignored. file names the input in errors.
func NewNDJSONDecoder(r io.Reader, file string) Decoder {
	return &ndjsonDecoder{r: bufio.NewReaderSize(r, 64<<10), file: file}
}

func (d *ndjsonDecoder) Skipped() int { return d.skipped }

func (d *ndjsonDecoder) Zoneless() int { return d.zoneless }

func (d *ndjsonDecoder) Next() (Event, error) {
	for {
		line, tooLong, err := d.readLine()
		if err != nil {
			return Event{}, err
		}
		if tooLong {
			return Event{}, d.lineError("", fmt.Sprintf("line is longer than %d bytes", MaxLineBytes))
		}
		if d.line == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if d.line == 1 && line[0] == '[' {
			return Event{}, fmt.Errorf("%s:1: the file is a JSON array; liftgate expects one JSON object per line (NDJSON), e.g. convert with: jq -c '.[]'", d.file)
		}
		obj, msg := decodeObject(line)
		if msg != "" {
			return Event{}, d.lineError("", msg)
		}
		ev, skip, ferr := eventFromObject(obj)
		if ferr != nil {
			return Event{}, d.lineError(ferr.field, ferr.msg)
		}
		if skip {
			d.skipped++
			continue
		}
		if zonelessTime(obj) {
			d.zoneless++
		}
		return ev, nil
	}
}

// readLine returns the next line without its newline. A line longer than
// MaxLineBytes is consumed and reported as tooLong. At the end of input it
// returns io.EOF.
func (d *ndjsonDecoder) readLine() (line []byte, tooLong bool, err error) {
	d.buf = d.buf[:0]
	started := false
	for {
		chunk, isPrefix, err := d.r.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if started {
					break
				}
				return nil, false, io.EOF
			}
			return nil, false, fmt.Errorf("%s: reading line %d: %w", d.file, d.line+1, err)
		}
		if !started {
			started = true
			d.line++
		}
		if !tooLong {
			if len(d.buf)+len(chunk) > MaxLineBytes {
				tooLong = true
				d.buf = d.buf[:0]
			} else {
				d.buf = append(d.buf, chunk...)
			}
		}
		if !isPrefix {
			break
		}
	}
	return d.buf, tooLong, nil
}

// decodeObject parses one line as a single JSON object, keeping numbers as
// json.Number. It returns an error message for anything else.
func decodeObject(line []byte) (map[string]any, string) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, "invalid JSON: " + err.Error()
	}
	if dec.More() {
		return nil, "invalid JSON: more than one value on the line"
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, "expected a JSON object, got " + jsonKind(v)
	}
	return obj, ""
}

func (d *ndjsonDecoder) lineError(field, msg string) *LineError {
	return &LineError{File: d.file, Line: d.line, Field: field, Msg: msg}
}
