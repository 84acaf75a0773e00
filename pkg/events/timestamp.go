package events

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Epoch milliseconds outside [minEpochMillis, maxEpochMillis) are rejected:
// below is 1973-03-03, so a value there is almost surely epoch seconds; above
// is the year 5138, so almost surely microseconds or nanoseconds. Guessing the
// unit would silently move events by decades; an error is better.
const (
	minEpochMillis = 1e11
	maxEpochMillis = 1e14
)

// Textual times must fall in these years (after conversion to UTC), which
// every store can hold and format; event data from outside is a typo.
const (
	minYear = 1900
	maxYear = 9999
)

// timeLayouts are the accepted textual forms: RFC 3339 with a "T" or a space
// between date and time, a zone as Z, ±hh:mm, ±hhmm or ±hh, or no zone
// (read as UTC). time.Parse accepts an optional fractional second after the
// seconds even though the layouts do not spell it out.
var timeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05Z07",
	"2006-01-02 15:04:05 Z07:00", // e.g. "2024-01-02 03:04:05 +00:00"
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// ParseTimestamp reads an event time: RFC 3339 (also with a space instead of
// "T", or without a zone, which means UTC), a bare date (midnight UTC), or
// epoch milliseconds written as digits, optionally with a fraction. The result
// is in UTC, truncated to microseconds (the stores' precision).
func ParseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("is empty")
	}
	if looksNumeric(s) {
		return epochMillis(s)
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC().Truncate(time.Microsecond)
			if t.Year() < minYear || t.Year() > maxYear {
				return time.Time{}, fmt.Errorf("%q is outside the years %d to %d (in UTC)", s, minYear, maxYear)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not RFC 3339 (e.g. 2024-05-01T12:00:00Z) or epoch milliseconds", s)
}

// numberText is how epoch milliseconds are written: digits, an optional
// fraction and exponent. Dates ("2024-05-01") do not match.
var numberText = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$`)

// looksNumeric reports whether s is written like a number (so it must be
// epoch milliseconds, not a date).
func looksNumeric(s string) bool { return numberText.MatchString(s) }

// epochMillis converts epoch milliseconds given as text.
func epochMillis(s string) (time.Time, error) {
	var micros int64
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms < minEpochMillis || ms >= maxEpochMillis {
			return time.Time{}, epochRangeError(s, float64(ms))
		}
		micros = ms * 1000
	} else {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return time.Time{}, fmt.Errorf("%q is not a valid number of epoch milliseconds", s)
		}
		if f < minEpochMillis || f >= maxEpochMillis {
			return time.Time{}, epochRangeError(s, f)
		}
		micros = int64(math.Round(f * 1000))
	}
	return time.UnixMicro(micros).UTC(), nil
}

func epochRangeError(s string, ms float64) error {
	switch {
	case ms >= minEpochMillis/1000 && ms < maxEpochMillis/1000:
		return fmt.Errorf("%s looks like epoch seconds; liftgate expects epoch milliseconds (multiply by 1000) or RFC 3339", s)
	case ms >= maxEpochMillis:
		return fmt.Errorf("%s looks like epoch microseconds or nanoseconds; liftgate expects epoch milliseconds or RFC 3339", s)
	default:
		return fmt.Errorf("%s epoch milliseconds is before 1973; liftgate expects epoch milliseconds or RFC 3339", s)
	}
}
