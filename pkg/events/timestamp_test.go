package events

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimestampAccepts(t *testing.T) {
	want := time.Date(2024, 5, 1, 12, 30, 45, 0, time.UTC)
	wantFrac := time.Date(2024, 5, 1, 12, 30, 45, 123456000, time.UTC)
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2024-05-01T12:30:45Z", want},
		{"2024-05-01T14:30:45+02:00", want},
		{"2024-05-01T14:30:45+0200", want},
		{"2024-05-01T14:30:45+02", want},
		{"2024-05-01T07:30:45-05:00", want},
		{"2024-05-01T12:30:45", want}, // no zone: UTC
		{"2024-05-01 12:30:45", want},
		{"2024-05-01 12:30:45+00:00", want},
		{"2024-05-01 12:30:45 +00:00", want},
		{"  2024-05-01T12:30:45Z  ", want},
		{"2024-05-01T12:30:45.123456Z", wantFrac},
		{"2024-05-01T12:30:45.123456789Z", wantFrac}, // truncated to µs
		{"2024-05-01 12:30:45.123456", wantFrac},
		{"2024-05-01", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		// 1714566645000 ms = 2024-05-01T12:30:45Z (1714521600 is 2024-05-01T00:00:00Z, plus 45045 s).
		{"1714566645000", want},
		{"1714566645123.456", wantFrac},
		{"1.714566645e12", want},
	}
	for _, c := range cases {
		got, err := ParseTimestamp(c.in)
		if err != nil {
			t.Errorf("ParseTimestamp(%q): %v", c.in, err)
			continue
		}
		if !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("ParseTimestamp(%q) = %v, want %v in UTC", c.in, got, c.want)
		}
	}
}

func TestParseTimestampRejects(t *testing.T) {
	cases := []struct{ in, msg string }{
		{"", "empty"},
		{"yesterday", "not RFC 3339"},
		{"2024-13-01T00:00:00Z", "not RFC 3339"},
		{"2024-05-01T25:00:00Z", "not RFC 3339"},
		{"05/01/2024", "not RFC 3339"},
		{"1714566645", "epoch seconds"},
		{"1714566645000000", "microseconds"},
		{"-5", "before 1973"},
		{"1e400", "not a valid number"},
		{"9999-12-31T23:30:00-01:00", "outside the years"},
		{"1899-12-31T23:59:59Z", "outside the years"},
	}
	for _, c := range cases {
		got, err := ParseTimestamp(c.in)
		if err == nil {
			t.Errorf("ParseTimestamp(%q) = %v, want an error", c.in, got)
			continue
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ParseTimestamp(%q) error %q, want it to mention %q", c.in, err, c.msg)
		}
	}
}
