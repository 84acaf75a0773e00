package healthfixture

import (
	"fmt"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// Start is the scope's start; every event time is Start plus some hours.
var Start = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// At is Start plus h hours, truncated to whole seconds: ClickHouse 18.16
// stores whole seconds, and one dataset serves every store only if no store
// has to round it.
func At(h float64) time.Time {
	return Start.Add(time.Duration(h * float64(time.Hour))).Truncate(time.Second)
}

// Scope is experiment exp1 over [At(0), At(240)), two arms. It reads the
// unit from the "account" property, so an exposure can lack its unit (the
// stores' unit column is never empty).
func Scope() events.Scope {
	return events.Scope{
		Experiment: "exp1",
		Unit:       "account",
		Exposure:   events.Exposure{Event: "exposure", ExperimentProperty: "experiment", ArmProperty: "arm"},
		Arms:       []string{"control", "treatment"},
		Start:      Start,
		End:        At(240),
	}
}

// Request checks the purchases and their numeric "amount" at the scope's
// end with five minutes of clock skew and the default number of examples.
func Request() events.HealthRequest {
	return events.HealthRequest{
		Events:     []string{"purchase"},
		Properties: []events.EventValue{{Event: "purchase", Property: "amount"}},
		Now:        At(240),
		ClockSkew:  5 * time.Minute,
	}
}

// GoodEvents are 20 units u00..u19, alternating control and treatment,
// each exposed at hour i (id x-uNN) and buying once at hour i+1 (id p-uNN,
// amount 10+i).
func GoodEvents() []events.Event {
	var evs []events.Event
	for i := range 20 {
		unit := fmt.Sprintf("u%02d", i)
		arm := []string{"control", "treatment"}[i%2]
		evs = append(evs,
			events.Event{ID: "x-" + unit, Name: "exposure", Unit: unit, Time: At(float64(i)),
				Properties: map[string]any{"experiment": "exp1", "arm": arm, "account": unit}},
			events.Event{ID: "p-" + unit, Name: "purchase", Unit: unit, Time: At(float64(i) + 1),
				Properties: map[string]any{"amount": 10 + i, "account": unit}},
		)
	}
	return evs
}

// FaultyEvents are one or more of each fault a store can hold, added to
// GoodEvents. The ids name the fault.
func FaultyEvents() []events.Event {
	// exposure of exp1; the unit column is "someone", the scope's unit (the
	// account property) is unit, absent when empty.
	exposure := func(id, unit string, h float64, props map[string]any) events.Event {
		props["experiment"] = "exp1"
		if unit != "" {
			props["account"] = unit
		}
		return events.Event{ID: id, Name: "exposure", Unit: "someone", Time: At(h), Properties: props}
	}
	purchase := func(id string, h float64, props map[string]any) events.Event {
		props["account"] = "u03"
		return events.Event{ID: id, Name: "purchase", Unit: "u03", Time: At(h), Properties: props}
	}
	return []events.Event{
		exposure("unknown-1", "k1", 5, map[string]any{"arm": "treatmnet"}),
		exposure("unknown-2", "k2", 6, map[string]any{"arm": "treatmnet"}),
		exposure("noarm-1", "m1", 7, map[string]any{}),
		exposure("nounit-1", "", 8, map[string]any{"arm": "control"}),
		exposure("multi-1", "u00", 30, map[string]any{"arm": "treatment"}), // u00 is control in GoodEvents
		exposure("early-1", "e1", -2, map[string]any{"arm": "control"}),
		// Another experiment's exposure is not this one's unknown arm.
		{ID: "other-1", Name: "exposure", Unit: "o1", Time: At(9), Properties: map[string]any{"experiment": "exp2", "arm": "zzz", "account": "o1"}},
		purchase("future-1", 241, map[string]any{"amount": 1}),
		purchase("skewed-1", 240+1.0/60, map[string]any{"amount": 1}), // within the 5m skew: not future
		purchase("noamount-1", 50, map[string]any{}),
		purchase("textamount-1", 51, map[string]any{"amount": "12.5"}),
		purchase("boolamount-1", 52, map[string]any{"amount": true}),
		purchase("nullamount-1", 53, map[string]any{"amount": nil}), // null is missing, not non-numeric
	}
}
