package events

import (
	"testing"
	"time"
)

func TestZoneless(t *testing.T) {
	for s, want := range map[string]bool{
		"2024-05-01T12:00:00":        true,
		"2024-05-01 12:00:00.5":      true,
		"2024-05-01":                 true,
		"2024-05-01T12:00:00Z":       false,
		"2024-05-01T12:00:00+02:00":  false,
		"2024-05-01 12:00:00 +00:00": false,
		"1714564800000":              false, // epoch milliseconds are UTC
		"":                           false,
		"yesterday":                  false,
	} {
		if got := Zoneless(s); got != want {
			t.Errorf("Zoneless(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestHealthRequestCheckedEvents(t *testing.T) {
	r := HealthRequest{Events: []string{"purchase", "exposure", "purchase", "error"}, Now: time.Now()}
	got := r.CheckedEvents("exposure")
	if len(got) != 3 || got[0] != "exposure" || got[1] != "purchase" || got[2] != "error" {
		t.Errorf("CheckedEvents = %v, want [exposure purchase error]", got)
	}
	if r.ExampleLimit() != DefaultHealthExamples {
		t.Errorf("default example limit %d", r.ExampleLimit())
	}
}
