package plan

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// Duration is a time span written the way Prometheus users write them
// ("30m", "72h", "3d", "2w", "1h30m") or as a Go duration ("1.5h"). It
// marshals back to one canonical spelling so that equivalent plans hash
// alike: "72h" and "3d" are both written "3d".
type Duration time.Duration

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String returns the canonical spelling: Prometheus units (y, w, d, h, m, s,
// ms) when the span is a whole number of milliseconds, otherwise Go's
// notation (which is the only one that can say "1.5µs").
func (d Duration) String() string {
	if time.Duration(d)%time.Millisecond != 0 {
		return time.Duration(d).String()
	}
	return model.Duration(d).String()
}

// ParseDuration reads a Prometheus-style or Go duration. Negative values are
// accepted here so that validation can say "must not be negative" next to the
// field, rather than a vaguer syntax error.
func ParseDuration(s string) (Duration, error) {
	if d, err := model.ParseDurationAllowNegative(s); err == nil {
		return Duration(d), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return Duration(d), nil
	}
	return 0, fmt.Errorf("expected a duration like 30m, 72h, 3d or 2w, got %q", s)
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.ScalarNode {
		return fmt.Errorf("expected a duration like 30m, 72h, 3d or 2w, got a %s", kindName(value))
	}
	parsed, err := ParseDuration(value.Value)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalJSON implements json.Unmarshaler; a duration is a JSON string.
func (d *Duration) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("expected a duration string like \"72h\", got %s", data)
	}
	parsed, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }
