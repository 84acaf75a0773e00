package evaluator

import (
	"testing"
	"time"
)

// Two exporters whose clocks read different instants within the same slot
// must pick the same evaluation time; the next slot is one interval later.
func TestSlotsAreSharedAcrossClocks(t *testing.T) {
	interval := time.Minute
	offset := phase("checkout-v2", interval)
	if offset < 0 || offset >= interval/2 {
		t.Fatalf("phase = %v, want within the first half of the interval", offset)
	}
	base := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	a := slotAt(base.Add(offset).Add(1*time.Second), interval, offset)
	b := slotAt(base.Add(offset).Add(59*time.Second), interval, offset)
	if !a.Equal(b) || !a.Equal(base) {
		t.Errorf("slots %v and %v, want both %v", a, b, base)
	}
	// Just before the slot fires, the previous slot is still the latest.
	if prev := slotAt(base.Add(offset).Add(-time.Nanosecond), interval, offset); !prev.Equal(base.Add(-interval)) {
		t.Errorf("slot just before firing = %v, want %v", prev, base.Add(-interval))
	}
	fire, at := nextSlot(base.Add(offset).Add(time.Second), interval, offset)
	if !at.Equal(base.Add(interval)) || !fire.Equal(at.Add(offset)) {
		t.Errorf("next slot fires %v at %v, want %v at %v", fire, at, base.Add(interval).Add(offset), base.Add(interval))
	}
	// A machine in another zone agrees.
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	if c := slotAt(base.Add(offset).Add(30*time.Second).In(zone), interval, offset); !c.Equal(base) {
		t.Errorf("slot from a +05:30 clock = %v, want %v", c, base)
	}
}
