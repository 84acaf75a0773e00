package plan

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestParseDuration(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		in        string
		want      time.Duration
		canonical string
	}{
		{"72h", 72 * time.Hour, "3d"},
		{"3d", 3 * day, "3d"},
		{"2w", 14 * day, "2w"},
		{"336h", 14 * day, "2w"},
		{"10d", 10 * day, "10d"},
		{"1y", 365 * day, "1y"},
		{"365d", 365 * day, "1y"},
		{"30m", 30 * time.Minute, "30m"},
		{"90m", 90 * time.Minute, "1h30m"},
		{"1h30m", 90 * time.Minute, "1h30m"},
		{"1.5h", 90 * time.Minute, "1h30m"}, // Go notation
		{"1h0m0s", time.Hour, "1h"},         // Go's own String()
		{"1500ms", 1500 * time.Millisecond, "1s500ms"},
		{"1500ns", 1500 * time.Nanosecond, "1.5µs"}, // below a millisecond: Go notation
		{"0", 0, "0s"},
		{"0s", 0, "0s"},
		{"-1h", -time.Hour, "-1h"}, // parsed so that validation can reject it by name
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.in)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", tt.in, err)
			continue
		}
		if d.D() != tt.want {
			t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, d.D(), tt.want)
		}
		if d.String() != tt.canonical {
			t.Errorf("ParseDuration(%q).String() = %q, want %q", tt.in, d.String(), tt.canonical)
		}
		back, err := ParseDuration(d.String())
		if err != nil || back != d {
			t.Errorf("canonical %q does not parse back to %v: %v, %v", d.String(), d.D(), back.D(), err)
		}
	}
}

func TestParseDurationRejects(t *testing.T) {
	for _, in := range []string{"", "3 days", "1x", "h", "3600", "1d2w", "99999999999999999999y", "d3", "--1h"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d.D())
		} else if !strings.Contains(err.Error(), "expected a duration like") {
			t.Errorf("ParseDuration(%q) error %q does not say what is expected", in, err)
		}
	}
}

func TestDurationYAML(t *testing.T) {
	var v struct {
		W Duration `yaml:"w"`
	}
	if err := yaml.Unmarshal([]byte("w: 72h\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.W.D() != 72*time.Hour {
		t.Errorf("decoded %v, want 72h", v.W.D())
	}
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "w: 3d\n" {
		t.Errorf("encoded %q, want %q", out, "w: 3d\n")
	}
	for _, bad := range []string{"w: [1h]\n", "w: soon\n"} {
		if err := yaml.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%q decoded without error", bad)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	out, err := json.Marshal(struct{ W Duration }{Duration(336 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"W":"2w"}` {
		t.Errorf("encoded %s, want {\"W\":\"2w\"}", out)
	}
	var v struct{ W Duration }
	if err := json.Unmarshal([]byte(`{"W":"90m"}`), &v); err != nil || v.W.D() != 90*time.Minute {
		t.Errorf("decoded %v (%v), want 90m", v.W.D(), err)
	}
	v.W = Duration(time.Hour)
	if err := json.Unmarshal([]byte(`{"W":null}`), &v); err != nil || v.W.D() != time.Hour {
		t.Errorf("null must leave the value alone: %v (%v)", v.W.D(), err)
	}
	for _, bad := range []string{`{"W":3600}`, `{"W":"soon"}`, `{"W":true}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}
