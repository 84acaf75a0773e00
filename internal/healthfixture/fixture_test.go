package healthfixture

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// allScenarios are the shared scenarios and the store-specific ones.
func allScenarios() []Scenario {
	return append(Scenarios(), DuplicateIDs(), HostileNames(`x'); DROP TABLE events; --\' $1 ? "`))
}

func TestDiffOfEqualReportsIsEmpty(t *testing.T) {
	again := allScenarios() // equal content, distinct slices and maps
	for i, s := range allScenarios() {
		if d := Diff(s.Want, again[i].Want); len(d) != 0 {
			t.Errorf("%s: Diff of a report with itself = %v", s.Name, d)
		}
	}
}

// TestDiffSeesEveryField changes one leaf (number, flag, text, time) or
// drops one slice element at a time in each scenario's report and expects
// Diff to notice. It walks the report by reflection, so a field added to
// HealthReport later is covered, or the test fails for the unknown kind.
func TestDiffSeesEveryField(t *testing.T) {
	for si := range allScenarios() {
		fresh := func() Scenario { return allScenarios()[si] }
		n, probe := 0, fresh()
		walk(t, reflect.ValueOf(&probe.Want).Elem(), "report", func(string, reflect.Value) { n++ })
		if n < 10 {
			t.Fatalf("%s: only %d leaves found", fresh().Name, n)
		}
		for i := range n {
			s := fresh()
			var changed string
			k := 0
			walk(t, reflect.ValueOf(&s.Want).Elem(), "report", func(path string, v reflect.Value) {
				if k == i {
					changed = path
					mutate(t, path, v)
				}
				k++
			})
			if d := Diff(s.Want, fresh().Want); len(d) == 0 {
				t.Errorf("%s: Diff misses a change of %s", s.Name, changed)
			}
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

// walk visits every leaf of v and every non-empty slice (to shorten it).
func walk(t *testing.T, v reflect.Value, path string, visit func(string, reflect.Value)) {
	t.Helper()
	switch {
	case v.Type() == timeType:
		visit(path, v)
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			walk(t, v.Field(i), path+"."+v.Type().Field(i).Name, visit)
		}
	case v.Kind() == reflect.Slice:
		if v.Len() > 0 {
			visit(path, v)
		}
		for i := range v.Len() {
			walk(t, v.Index(i), path+"["+strconv.Itoa(i)+"]", visit)
		}
	case v.Kind() == reflect.Int64, v.Kind() == reflect.Bool, v.Kind() == reflect.String:
		visit(path, v)
	default:
		t.Fatalf("%s: kind %s; teach walk and Diff about it", path, v.Kind())
	}
}

func mutate(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Second)))
	case v.Kind() == reflect.Slice:
		v.Set(v.Slice(0, v.Len()-1))
	case v.Kind() == reflect.Int64:
		v.SetInt(v.Int() + 1)
	case v.Kind() == reflect.Bool:
		v.SetBool(!v.Bool())
	case v.Kind() == reflect.String:
		v.SetString(v.String() + "x")
	default:
		t.Fatalf("%s: cannot change a %s", path, v.Kind())
	}
}

// TestExamplesPointAtTheEvents checks the hand-written expectations against
// the dataset they were written from: every example id is an event of the
// scenario at the example's time, and every copied id is stored.
func TestExamplesPointAtTheEvents(t *testing.T) {
	for _, s := range allScenarios() {
		byID := map[string]events.Event{}
		for _, e := range s.Events {
			if _, dup := byID[e.ID]; dup {
				t.Errorf("%s: id %s is used twice", s.Name, e.ID)
			}
			byID[e.ID] = e
		}
		for _, id := range s.Copies {
			if _, ok := byID[id]; !ok {
				t.Errorf("%s: copy of %s, which is not stored", s.Name, id)
			}
		}
		w := s.Want
		counts := []events.HealthCount{w.UnknownArm, w.MissingUnit, w.MissingArm, w.MultiArmUnits, w.BeforeStart, w.Future, w.Duplicates}
		for _, p := range w.Properties {
			counts = append(counts, p.Missing, p.NonNumeric)
		}
		for _, c := range counts {
			if int64(len(c.Examples)) > c.Count {
				t.Errorf("%s: %d examples of a count of %d", s.Name, len(c.Examples), c.Count)
			}
			for _, ex := range c.Examples {
				if ex.ID == "" {
					continue // a multi-arm unit
				}
				e, ok := byID[ex.ID]
				if !ok || !e.Time.Equal(ex.Time) {
					t.Errorf("%s: example %+v is not an event of the scenario (found %v: %+v)", s.Name, ex, ok, e)
				}
			}
		}
	}
}

// TestTimesAreWholeSeconds: ClickHouse 18.16 would round anything finer,
// and then it could not report the same times as the other stores.
func TestTimesAreWholeSeconds(t *testing.T) {
	var times []time.Time
	for _, s := range allScenarios() {
		for _, e := range s.Events {
			times = append(times, e.Time)
		}
		times = append(times, s.Scope.Start, s.Scope.End, s.Request.Now, s.Want.Watermark)
	}
	for _, tm := range times {
		if !tm.Equal(tm.Truncate(time.Second)) {
			t.Errorf("%v is not a whole second", tm)
		}
	}
	if got := At(1.0 / 7200 * 1.5); !got.Equal(Start) {
		t.Errorf("At(0.75 s) = %v, want it truncated to %v", got, Start)
	}
}

func TestBadInputsAreBad(t *testing.T) {
	for _, b := range BadInputs() {
		reqErr := b.Request.Validate()
		scopeErr := b.Scope.Check(b.Scope.Exposure, true)
		if (reqErr == nil) == (scopeErr == nil) {
			t.Errorf("%s: request error %v, scope error %v; want exactly one", b.Name, reqErr, scopeErr)
		}
	}
}
