package events

import (
	"compress/gzip"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Decoder streams events from one file, one line (or CSV record) at a time,
// so memory stays flat whatever the file size.
type Decoder interface {
	// Next returns the next event. At the end it returns io.EOF. For a bad
	// line it returns a *LineError; call Next again to go on with the next
	// line. Any other error (unreadable file, corrupt gzip, bad CSV header)
	// ends the file.
	Next() (Event, error)
	// Skipped counts lines passed over on purpose so far: Segment messages
	// whose type is not "track".
	Skipped() int
	// Zoneless counts the events decoded so far whose timestamp text
	// carried no time zone and was read as UTC (the documented rule). Stores
	// keep instants, so only the decoder can tell (docs/data-health.md).
	Zoneless() int
}

// LineError rejects one line of an event file.
type LineError struct {
	File  string
	Line  int    // 1-based
	Field string // the offending field ("" when the line as a whole is bad)
	Msg   string
}

func (e *LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// DecoderFor picks a decoder by file extension: .ndjson, .jsonl and .json
// are NDJSON (one JSON object per line), .csv is CSV with a header. A
// trailing .gz is decompressed on the fly. path only names the format and
// appears in errors; the data comes from r.
func DecoderFor(path string, r io.Reader) (Decoder, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".gz" {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("%s: not a readable gzip file: %w", path, err)
		}
		r = zr
		ext = strings.ToLower(filepath.Ext(strings.TrimSuffix(path, filepath.Ext(path))))
	}
	switch ext {
	case ".ndjson", ".jsonl", ".json":
		return NewNDJSONDecoder(r, path), nil
	case ".csv":
		return NewCSVDecoder(r, path), nil
	default:
		return nil, fmt.Errorf("%s: unknown event file type %q; expected .ndjson, .jsonl, .json or .csv, optionally followed by .gz", path, ext)
	}
}
