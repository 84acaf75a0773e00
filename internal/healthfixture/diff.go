package healthfixture

import (
	"fmt"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// Diff lists how got differs from want, field by field, every example in
// full; nothing when they are equal. Times compare as instants. It reads
// each field by name (never through HealthReport.CountFor, which is code
// under test too).
func Diff(got, want events.HealthReport) []string {
	var d []string
	add := func(format string, args ...any) { d = append(d, fmt.Sprintf(format, args...)) }
	number := func(name string, g, w int64) {
		if g != w {
			add("%s = %d, want %d", name, g, w)
		}
	}
	number("exposures", got.Exposures, want.Exposures)
	number("exposed units", got.ExposedUnits, want.ExposedUnits)
	number("events", got.Events, want.Events)
	if got.DuplicatesChecked != want.DuplicatesChecked {
		add("duplicates checked = %v, want %v", got.DuplicatesChecked, want.DuplicatesChecked)
	}
	if !got.Watermark.Equal(want.Watermark) {
		add("watermark = %v, want %v", got.Watermark, want.Watermark)
	}
	for _, c := range []struct {
		name      string
		got, want events.HealthCount
	}{
		{"unknown arm", got.UnknownArm, want.UnknownArm},
		{"missing unit", got.MissingUnit, want.MissingUnit},
		{"missing arm", got.MissingArm, want.MissingArm},
		{"multi-arm units", got.MultiArmUnits, want.MultiArmUnits},
		{"before start", got.BeforeStart, want.BeforeStart},
		{"future", got.Future, want.Future},
		{"duplicates", got.Duplicates, want.Duplicates},
	} {
		d = append(d, countDiff(c.name, c.got, c.want)...)
	}
	if len(got.Properties) != len(want.Properties) {
		add("%d properties %+v, want %d %+v", len(got.Properties), got.Properties, len(want.Properties), want.Properties)
		return d
	}
	for i, g := range got.Properties {
		w := want.Properties[i]
		name := fmt.Sprintf("property %d (%s.%s)", i, w.Event, w.Property)
		if g.Event != w.Event || g.Property != w.Property {
			add("%s is %s.%s", name, g.Event, g.Property)
		}
		number(name+" events", g.Events, w.Events)
		d = append(d, countDiff(name+" missing", g.Missing, w.Missing)...)
		d = append(d, countDiff(name+" non-numeric", g.NonNumeric, w.NonNumeric)...)
	}
	return d
}

// countDiff compares a count and its examples, in order.
func countDiff(name string, got, want events.HealthCount) []string {
	var d []string
	if got.Count != want.Count {
		d = append(d, fmt.Sprintf("%s: count %d, want %d", name, got.Count, want.Count))
	}
	if len(got.Examples) != len(want.Examples) {
		return append(d, fmt.Sprintf("%s: %d examples %s, want %d %s", name, len(got.Examples), examples(got.Examples), len(want.Examples), examples(want.Examples)))
	}
	for i, g := range got.Examples {
		if w := want.Examples[i]; g.ID != w.ID || g.Unit != w.Unit || g.Value != w.Value || !g.Time.Equal(w.Time) {
			d = append(d, fmt.Sprintf("%s: example %d is {%s}, want {%s}", name, i, describe(g), describe(w)))
		}
	}
	return d
}

// describe shows every field of an example, empty ones too, so a missing
// unit or an unexpected time is visible.
func describe(e events.HealthExample) string {
	at := "no time"
	if !e.Time.IsZero() {
		at = e.Time.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("id %q unit %q value %q %s", e.ID, e.Unit, e.Value, at)
}

func examples(es []events.HealthExample) string {
	s := "["
	for i, e := range es {
		if i > 0 {
			s += "; "
		}
		s += describe(e)
	}
	return s + "]"
}
