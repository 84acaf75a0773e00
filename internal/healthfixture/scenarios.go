package healthfixture

import (
	"fmt"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// Scenario is a dataset, the scope and request to run on it, and the
// report every store must return. Want is written by hand from the events;
// its DuplicatesChecked is false, because whether a store can hold
// duplicate ids is the store's own: its test sets it before comparing.
type Scenario struct {
	Name    string
	Events  []events.Event
	Scope   events.Scope
	Request events.HealthRequest
	// Copies are ids to store once more each, after Events, copying a row
	// already stored: only a store that keeps duplicate ids can run a
	// scenario with copies (DuckDB dedupes at ingest).
	Copies []string
	Want   events.HealthReport
}

// Scenarios are the scenarios every store runs.
func Scenarios() []Scenario {
	return []Scenario{Clean(), Faulty(), CappedExamples(3), CappedExamples(0)}
}

// Clean is GoodEvents alone: denominators, a watermark, nothing flagged.
func Clean() Scenario {
	return Scenario{
		Name:    "clean data raises nothing",
		Events:  GoodEvents(),
		Scope:   Scope(),
		Request: Request(),
		Want: events.HealthReport{
			Exposures:    20,
			ExposedUnits: 20,
			Events:       40, // 20 exposures and 20 purchases
			Properties:   []events.PropertyHealth{{Event: "purchase", Property: "amount", Events: 20}},
			Watermark:    At(20), // p-u19, the last purchase
		},
	}
}

// Faulty is GoodEvents with FaultyEvents.
func Faulty() Scenario {
	u03 := func(id string, h float64, value string) events.HealthExample {
		return events.HealthExample{ID: id, Unit: "u03", Value: value, Time: At(h)}
	}
	return Scenario{
		Name:    "each fault is detected",
		Events:  append(GoodEvents(), FaultyEvents()...),
		Scope:   Scope(),
		Request: Request(),
		Want: events.HealthReport{
			// 20 good + 2 unknown arm + missing arm + missing unit + u00's
			// second arm; not early-1 (before the start) nor other-1 (exp2).
			Exposures: 25,
			// u00-u19, k1, k2, m1 (nounit-1 has no unit, multi-1 is u00).
			ExposedUnits: 23,
			// Exposures of both experiments in the window (26) and the
			// purchases in it (24: not future-1, not skewed-1, both after
			// the end).
			Events: 50,
			UnknownArm: events.HealthCount{Count: 2, Examples: []events.HealthExample{
				{ID: "unknown-1", Unit: "k1", Value: "treatmnet", Time: At(5)},
				{ID: "unknown-2", Unit: "k2", Value: "treatmnet", Time: At(6)},
			}},
			// The value of an exposure example is its arm.
			MissingUnit: events.HealthCount{Count: 1, Examples: []events.HealthExample{
				{ID: "nounit-1", Value: "control", Time: At(8)},
			}},
			MissingArm: events.HealthCount{Count: 1, Examples: []events.HealthExample{
				{ID: "noarm-1", Unit: "m1", Time: At(7)},
			}},
			// A unit's arms have no single id or time.
			MultiArmUnits: events.HealthCount{Count: 1, Examples: []events.HealthExample{
				{Unit: "u00", Value: "control,treatment"},
			}},
			BeforeStart: events.HealthCount{Count: 1, Examples: []events.HealthExample{
				{ID: "early-1", Unit: "e1", Value: "control", Time: At(-2)},
			}},
			// Event examples carry the unit column, not the scope's unit.
			Future: events.HealthCount{Count: 1, Examples: []events.HealthExample{u03("future-1", 241, "")}},
			Properties: []events.PropertyHealth{{
				Event: "purchase", Property: "amount",
				Events: 24, // 20 good + noamount, textamount, boolamount, nullamount
				// The value of a property example is its JSON text.
				Missing:    events.HealthCount{Count: 2, Examples: []events.HealthExample{u03("noamount-1", 50, ""), u03("nullamount-1", 53, "null")}},
				NonNumeric: events.HealthCount{Count: 2, Examples: []events.HealthExample{u03("textamount-1", 51, `"12.5"`), u03("boolamount-1", 52, "true")}},
			}},
			// skewed-1, within the skew; future-1 does not move it.
			Watermark: At(240 + 1.0/60),
		},
	}
}

// CappedExamples is nine exposures to an unknown arm, bad-0..bad-8 at hours 0..8,
// asked for limit examples (0: the default, five).
func CappedExamples(limit int) Scenario {
	var evs []events.Event
	for i := range 9 {
		evs = append(evs, events.Event{ID: fmt.Sprintf("bad-%d", i), Name: "exposure", Unit: "u", Time: At(float64(i)),
			Properties: map[string]any{"experiment": "exp1", "arm": "nope", "account": fmt.Sprintf("u%d", i)}})
	}
	shown := limit
	if limit == 0 {
		shown = 5 // events.DefaultHealthExamples, written out
	}
	var examples []events.HealthExample
	for i := range shown {
		examples = append(examples, events.HealthExample{ID: fmt.Sprintf("bad-%d", i), Unit: fmt.Sprintf("u%d", i), Value: "nope", Time: At(float64(i))})
	}
	req := Request()
	req.Examples = limit
	return Scenario{
		Name:    fmt.Sprintf("examples are capped (limit %d)", limit),
		Events:  evs,
		Scope:   Scope(),
		Request: req,
		Want: events.HealthReport{
			Exposures:    9,
			ExposedUnits: 9,
			Events:       9,
			UnknownArm:   events.HealthCount{Count: 9, Examples: examples},
			Properties:   []events.PropertyHealth{{Event: "purchase", Property: "amount"}},
			Watermark:    At(8),
		},
	}
}

// DuplicateIDs is GoodEvents with x-u01 stored twice and p-u02 three
// times, for the stores that keep duplicate ids.
func DuplicateIDs() Scenario {
	return Scenario{
		Name:    "duplicate ids are counted",
		Events:  GoodEvents(),
		Scope:   Scope(),
		Request: Request(),
		Copies:  []string{"x-u01", "p-u02", "p-u02"},
		Want: events.HealthReport{
			// The copy of x-u01 is a row more, yet the same unit and arm:
			// no leakage, no unknown arm.
			Exposures:    21,
			ExposedUnits: 20,
			Events:       43, // 40 + 3 copies
			// Surplus rows: 1 of x-u01, 2 of p-u02. The examples are the
			// ids, by time.
			Duplicates: events.HealthCount{Count: 3, Examples: []events.HealthExample{
				{ID: "x-u01", Unit: "u01", Value: "2 rows", Time: At(1)},
				{ID: "p-u02", Unit: "u02", Value: "3 rows", Time: At(3)},
			}},
			Properties: []events.PropertyHealth{{Event: "purchase", Property: "amount", Events: 22}},
			Watermark:  At(20),
		},
	}
}

// HostileNames is one exposure whose experiment and arm are name, with
// name as the scope's experiment and as the checked event and property: a
// store must treat it as data. Each store passes the text most likely to
// break its own SQL (quotes, comments, its placeholder syntax), shorter
// than events.HealthExampleChars so the example shows all of it.
func HostileNames(name string) Scenario {
	sc := Scope()
	sc.Experiment = name
	req := Request()
	req.Events = []string{name}
	req.Properties = []events.EventValue{{Event: name, Property: name}}
	return Scenario{
		Name: "hostile names are inert",
		Events: []events.Event{{ID: "h1", Name: "exposure", Unit: "u1", Time: At(1),
			Properties: map[string]any{"experiment": name, "arm": name, "account": "a1"}}},
		Scope:   sc,
		Request: req,
		Want: events.HealthReport{
			Exposures:    1,
			ExposedUnits: 1, // a1
			Events:       1, // the exposure; no event is named name
			UnknownArm: events.HealthCount{Count: 1, Examples: []events.HealthExample{
				{ID: "h1", Unit: "a1", Value: name, Time: At(1)},
			}},
			Properties: []events.PropertyHealth{{Event: name, Property: name}},
			Watermark:  At(1),
		},
	}
}

// BadInput is a scope and request a store must refuse with an error
// containing ErrorContains.
type BadInput struct {
	Name          string
	Scope         events.Scope
	Request       events.HealthRequest
	ErrorContains string
}

// BadInputs are invalid requests and a scope without arms.
func BadInputs() []BadInput {
	request := func(name string, mutate func(*events.HealthRequest)) BadInput {
		req := Request()
		mutate(&req)
		return BadInput{Name: name, Scope: Scope(), Request: req, ErrorContains: "health request"}
	}
	noArms := Scope()
	noArms.Arms = nil
	return []BadInput{
		request("no now", func(r *events.HealthRequest) { r.Now = time.Time{} }),
		request("negative skew", func(r *events.HealthRequest) { r.ClockSkew = -time.Second }),
		request("no property", func(r *events.HealthRequest) { r.Properties[0].Property = "" }),
		request("too many examples", func(r *events.HealthRequest) { r.Examples = events.MaxHealthExamples + 1 }),
		{Name: "scope without arms", Scope: noArms, Request: Request(), ErrorContains: "scope: no arms"},
	}
}
