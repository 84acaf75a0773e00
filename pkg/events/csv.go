package events

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// CSV columns with a meaning of their own; every other column is a property.
const (
	csvEvent      = "event"
	csvUnit       = "user_id"
	csvTimestamp  = "timestamp"
	csvID         = "id"
	csvProperties = "properties"  // a JSON object
	csvPropPrefix = "properties." // properties.NAME is the property NAME
)

type csvDecoder struct {
	r    *csv.Reader
	file string
	// Set from the header on the first call to Next.
	cols      []csvColumn
	headerErr error
	read      bool
	zoneless  int // events whose timestamp had no zone
}

// csvColumn says what one column holds.
type csvColumn struct {
	header string
	role   string // csvEvent, csvUnit, csvTimestamp, csvID, csvProperties or "" for a property
	prop   string // property name when role is ""
}

// NewCSVDecoder decodes CSV with a header row. Columns event, user_id and
// timestamp are required; id and properties (a JSON object) are optional;
// every other column is a property: "properties.NAME" names property NAME,
// any other header is the property name itself. Empty cells are absent
// properties; cells written like a JSON number become numbers (so amount sums
// work), everything else stays a string. file names the input in errors.
func NewCSVDecoder(r io.Reader, file string) Decoder {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	return &csvDecoder{r: cr, file: file}
}

// CSV never skips lines: it has no Segment message types.
func (d *csvDecoder) Skipped() int { return 0 }

func (d *csvDecoder) Zoneless() int { return d.zoneless }

func (d *csvDecoder) Next() (Event, error) {
	if !d.read {
		d.read = true
		d.headerErr = d.readHeader()
	}
	if d.headerErr != nil {
		return Event{}, d.headerErr
	}
	rec, err := d.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return Event{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				return Event{}, &LineError{File: d.file, Line: pe.StartLine, Msg: fmt.Sprintf("row has %d fields, the header has %d", len(rec), len(d.cols))}
			}
			return Event{}, &LineError{File: d.file, Line: pe.StartLine, Msg: "invalid CSV: " + pe.Err.Error()}
		}
		return Event{}, fmt.Errorf("%s: %w", d.file, err)
	}
	line, _ := d.r.FieldPos(0)
	ev, ferr := d.eventFromRecord(rec)
	if ferr != nil {
		return Event{}, &LineError{File: d.file, Line: line, Field: ferr.field, Msg: ferr.msg}
	}
	return ev, nil
}

// readHeader maps the header row to column roles. A bad header ends the file:
// no row could be read correctly without it.
func (d *csvDecoder) readHeader() error {
	rec, err := d.r.Read()
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	if err != nil {
		return fmt.Errorf("%s:1: header: %w", d.file, err)
	}
	seenHeader := map[string]bool{}
	seenProp := map[string]string{}
	for i, h := range rec {
		if i == 0 {
			h = strings.TrimPrefix(h, string(utf8BOM))
		}
		h = strings.TrimSpace(h)
		if h == "" {
			return fmt.Errorf("%s:1: header: column %d has no name", d.file, i+1)
		}
		if seenHeader[h] {
			return fmt.Errorf("%s:1: header: column %q appears twice", d.file, h)
		}
		seenHeader[h] = true
		c := csvColumn{header: h}
		switch h {
		case csvEvent, csvUnit, csvTimestamp, csvID, csvProperties:
			c.role = h
		default:
			c.prop = strings.TrimPrefix(h, csvPropPrefix)
			if c.prop == "" {
				return fmt.Errorf("%s:1: header: column %d %q names no property", d.file, i+1, h)
			}
			if other, dup := seenProp[c.prop]; dup {
				return fmt.Errorf("%s:1: header: property %q is given by two columns, %q and %q", d.file, c.prop, other, h)
			}
			seenProp[c.prop] = h
		}
		d.cols = append(d.cols, c)
	}
	for _, required := range []string{csvEvent, csvUnit, csvTimestamp} {
		if !seenHeader[required] {
			return fmt.Errorf("%s:1: header: missing column %q (required: event, user_id, timestamp; optional: id, properties)", d.file, required)
		}
	}
	d.r.FieldsPerRecord = len(d.cols)
	return nil
}

// eventFromRecord builds the JSON object the shared mapping expects, so CSV
// and NDJSON apply the same rules.
func (d *csvDecoder) eventFromRecord(rec []string) (Event, *fieldError) {
	props := map[string]any{}
	for i, c := range d.cols {
		if c.role == csvProperties && rec[i] != "" {
			v, msg := decodeObject([]byte(rec[i]))
			if msg != "" {
				return Event{}, rejectf(csvProperties, "%s", msg)
			}
			props = v
		}
	}
	obj := map[string]any{}
	for i, c := range d.cols {
		cell := rec[i]
		if cell == "" {
			continue
		}
		switch c.role {
		case csvEvent, csvUnit, csvTimestamp, csvID:
			obj[c.role] = cell
		case csvProperties:
		default:
			// Property columns are distinct (checked with the header), so
			// a clash can only be with the properties JSON: ambiguous.
			if _, dup := props[c.prop]; dup {
				return Event{}, rejectf(c.header, "property %q is also in the properties column", c.prop)
			}
			props[c.prop] = csvValue(cell)
		}
	}
	obj[csvProperties] = props
	ev, _, ferr := eventFromObject(obj)
	if ferr == nil && zonelessTime(obj) {
		d.zoneless++
	}
	return ev, ferr
}

// jsonNumber is the JSON number grammar: no leading zeros, no "+", no bare
// ".5", so zip codes like 007 stay strings.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// csvValue turns a cell into a property value: a number when it is written
// like one and survives the round trip (integers within int64, other numbers
// finite as float64), else the string itself.
func csvValue(cell string) any {
	if !jsonNumber.MatchString(cell) {
		return cell
	}
	if !strings.ContainsAny(cell, ".eE") {
		if _, err := strconv.ParseInt(cell, 10, 64); err != nil {
			return cell
		}
		return json.Number(cell)
	}
	f, err := strconv.ParseFloat(cell, 64)
	if err != nil || math.IsInf(f, 0) {
		return cell
	}
	return json.Number(cell)
}
