package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrHealthUnsupported says a source (for example an older exporter behind
// the remote API) cannot run the checks. The engine then reports that no
// checks ran instead of failing the evaluation.
var ErrHealthUnsupported = errors.New("the event source does not run data-health checks")

// HealthChecker is an optional interface of a Source: it counts what is
// wrong with the data behind a scope, in the store, with the same pushdown as
// the metric queries (only counts and a few examples reach Go). The engine
// type-asserts it; a Source without it gets verdicts without a data-health
// section.
type HealthChecker interface {
	Health(ctx context.Context, scope Scope, req HealthRequest) (HealthReport, error)
}

// DefaultHealthExamples is how many examples a check carries when the
// request does not say.
const DefaultHealthExamples = 5

// MaxHealthExamples bounds HealthRequest.Examples: examples are for people
// to look up, not an export of raw events.
const MaxHealthExamples = 100

// HealthRequest says what to check beyond the scope's exposures.
type HealthRequest struct {
	// Events are the metric event names whose timestamps (future events)
	// and ids (duplicates) are checked, besides the exposure event.
	Events []string `json:"events,omitempty"`
	// Properties are the numeric metric properties to type-check: the
	// events named Event in the scope's window should carry Property as a
	// number.
	Properties []EventValue `json:"properties,omitempty"`
	// Now is the reference time of the future-events check and the
	// watermark: events stamped after Now+ClockSkew are "from the future"
	// and do not advance the watermark. The engine passes the later of the
	// evaluation time and the wall clock, so a historical evaluation does
	// not call later, genuine events future ones.
	Now time.Time `json:"now"`
	// ClockSkew is the tolerated difference between the producers' clocks
	// and the store's.
	ClockSkew time.Duration `json:"clock_skew"`
	// Examples caps the examples per check (0 = DefaultHealthExamples).
	Examples int `json:"examples,omitempty"`
}

// Validate rejects a request the stores could not answer meaningfully.
func (r HealthRequest) Validate() error {
	switch {
	case r.Now.IsZero():
		return fmt.Errorf("health request: now is not set; expected the reference time of the future-events check")
	case r.ClockSkew < 0:
		return fmt.Errorf("health request: clock skew %v is negative; expected 0 or more", r.ClockSkew)
	case r.Examples < 0 || r.Examples > MaxHealthExamples:
		return fmt.Errorf("health request: examples %d is outside 0 to %d", r.Examples, MaxHealthExamples)
	}
	for i, e := range r.Events {
		if e == "" {
			return fmt.Errorf("health request: events[%d] is empty; expected an event name", i)
		}
	}
	for i, p := range r.Properties {
		if p.Event == "" || p.Property == "" {
			return fmt.Errorf("health request: properties[%d] needs both an event and a property name", i)
		}
	}
	return nil
}

// ExampleLimit is the number of examples each check carries.
func (r HealthRequest) ExampleLimit() int {
	if r.Examples == 0 {
		return DefaultHealthExamples
	}
	return r.Examples
}

// FutureAfter is the instant after which an event is from the future.
func (r HealthRequest) FutureAfter() time.Time { return r.Now.Add(r.ClockSkew) }

// CheckedEvents lists the exposure event and the request's events once
// each, in that order: the events whose timestamps and ids are checked.
func (r HealthRequest) CheckedEvents(exposureEvent string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, e := range append([]string{exposureEvent}, r.Events...) {
		if e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// HealthReport is what a store found. Rates are left to the engine: the
// report carries each count with its denominator.
type HealthReport struct {
	// Exposures are the experiment's exposure rows in [Start, End), with or
	// without unit and arm: the denominator of the exposure checks.
	Exposures int64 `json:"exposures"`
	// ExposedUnits are the distinct non-empty units among them: the
	// denominator of MultiArmUnits.
	ExposedUnits int64 `json:"exposed_units"`
	// UnknownArm are exposures whose arm value is not a planned arm.
	UnknownArm HealthCount `json:"unknown_arm"`
	// MissingUnit are exposures without a unit (absent or empty).
	MissingUnit HealthCount `json:"missing_unit"`
	// MissingArm are exposures without an arm value (absent or empty).
	MissingArm HealthCount `json:"missing_arm"`
	// MultiArmUnits are units exposed to two or more planned arms (leakage);
	// examples carry the unit and its arms.
	MultiArmUnits HealthCount `json:"multi_arm_units"`
	// BeforeStart are exposures of the experiment stamped before the plan's
	// start (the flag was on early, or clocks are off).
	BeforeStart HealthCount `json:"before_start"`
	// Events are the checked events (exposure and metric event names) in
	// [Start, End): the denominator of Future and Duplicates.
	Events int64 `json:"events"`
	// Future are checked events stamped after Now+ClockSkew.
	Future HealthCount `json:"future"`
	// Duplicates are surplus rows of checked events in [Start, End) whose
	// id is stored more than once (rows - distinct ids); examples are ids.
	Duplicates HealthCount `json:"duplicates"`
	// DuplicatesChecked is false when the store cannot hold duplicates
	// (DuckDB dedupes at ingest; the importer counts them) or the mapping
	// has no id column.
	DuplicatesChecked bool `json:"duplicates_checked"`
	// Properties has one entry per requested metric property.
	Properties []PropertyHealth `json:"properties"`
	// Watermark is the latest event time the source holds at or before
	// Now+ClockSkew (zero when it holds none): data is complete up to about
	// there. Future-stamped events do not move it.
	Watermark time.Time `json:"watermark"`
}

// HealthCount is a number of offending rows (or units) with a few examples.
type HealthCount struct {
	Count    int64           `json:"count"`
	Examples []HealthExample `json:"examples,omitempty"`
}

// HealthExample points at one offending row or unit so it can be looked up.
type HealthExample struct {
	ID    string    `json:"id,omitempty"`    // event id, when the store has one
	Unit  string    `json:"unit,omitempty"`  // the unit
	Value string    `json:"value,omitempty"` // the offending value (arm, property text, arms of a unit)
	Time  time.Time `json:"time,omitzero"`   // the event time
}

// String renders an example compactly for tables and reasons.
func (e HealthExample) String() string {
	var parts []string
	if e.ID != "" {
		parts = append(parts, "id "+e.ID)
	}
	if e.Unit != "" {
		parts = append(parts, "unit "+e.Unit)
	}
	if e.Value != "" {
		parts = append(parts, fmt.Sprintf("value %q", e.Value))
	}
	if !e.Time.IsZero() {
		parts = append(parts, "at "+e.Time.UTC().Format(time.RFC3339Nano))
	}
	return strings.Join(parts, " ")
}

// PropertyHealth is the type check of one metric property.
type PropertyHealth struct {
	Event    string `json:"event"`
	Property string `json:"property"`
	// Events named Event in [Start, End): the denominator.
	Events int64 `json:"events"`
	// Missing events lack the property (absent or null).
	Missing HealthCount `json:"missing"`
	// NonNumeric events carry it as something other than a finite number
	// (a string, a boolean, an object): the store sums them as nothing.
	NonNumeric HealthCount `json:"non_numeric"`
}

// zonelessLayouts are the accepted textual forms without a time zone.
var zonelessLayouts = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// Zoneless reports whether an event time written as s carries no time zone
// (ParseTimestamp reads it as UTC, the documented rule). Epoch milliseconds
// are UTC by definition and are not zoneless.
//
// This is an ingest-time statistic: stores keep instants in UTC, so once an
// event is stored nothing tells "12:00 written as 12:00Z" from "12:00 written
// without a zone", and no store query can count them. Importers count them
// while decoding (docs/data-health.md).
func Zoneless(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || looksNumeric(s) {
		return false
	}
	for _, layout := range zonelessLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
