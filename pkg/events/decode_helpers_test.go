package events

import (
	"errors"
	"io"
	"testing"
)

// decodeAll drains a decoder, collecting events and line errors; it fails
// the test on a file-level error unless wantFatal is set, in which case it
// returns that error.
func decodeAll(t *testing.T, d Decoder) (evs []Event, lineErrs []*LineError, fatal error) {
	t.Helper()
	for i := 0; i < 1_000_000; i++ {
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			return evs, lineErrs, nil
		}
		var le *LineError
		if errors.As(err, &le) {
			lineErrs = append(lineErrs, le)
			continue
		}
		if err != nil {
			return evs, lineErrs, err
		}
		evs = append(evs, ev)
	}
	t.Fatal("decoder did not reach the end")
	return nil, nil, nil
}
