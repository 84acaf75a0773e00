package duckdb

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// randomEvents generates a messy experiment: several exposures per unit,
// non-planned and missing arms, another experiment, events before Start and
// after End, and amounts that are sometimes not numbers. Times sit on an
// hour grid and metric events are often a whole number of hours from an
// exposure, so ties and window boundaries (at the exposure, at Window, at
// the CUPED lookback) occur often.
func randomEvents(r *rand.Rand, units int) []events.Event {
	var evs []events.Event
	id := 0
	hour := func() time.Time { return t0.Add(time.Duration(r.IntN(14*24)-3*24) * time.Hour) }
	add := func(name, unit string, t time.Time, props map[string]any) {
		id++
		evs = append(evs, events.Event{ID: fmt.Sprintf("id-%06d", r.IntN(1_000_000)*1000+id), Name: name, Unit: unit, Time: t, Properties: props})
	}
	arms := []string{"control", "treatment", "treatment", "control", "holdout", ""}
	segs := []string{"web", "ios", ""}
	for u := 0; u < units; u++ {
		unit := fmt.Sprintf("u%d", u)
		base := arms[r.IntN(4)] // most units stick to one planned arm
		var exposedAt []time.Time
		for range r.IntN(4) {
			arm := base
			if r.IntN(6) == 0 {
				arm = arms[r.IntN(len(arms))]
			}
			props := map[string]any{"experiment": "exp1"}
			if r.IntN(10) == 0 {
				props["experiment"] = "exp2"
			}
			if arm != "" {
				props["arm"] = arm
			}
			if seg := segs[r.IntN(len(segs))]; seg != "" {
				props["platform"] = seg
			}
			t := hour()
			if len(exposedAt) > 0 && r.IntN(3) == 0 {
				t = exposedAt[0] // a tie: the event id decides the segment
			}
			exposedAt = append(exposedAt, t)
			add("exposure", unit, t, props)
		}
		for range r.IntN(8) {
			name := []string{"purchase", "purchase", "pageview"}[r.IntN(3)]
			props := map[string]any{}
			switch r.IntN(6) {
			case 0:
				props["amount"] = "12" // text: not summed
			case 1: // absent
			default:
				props["amount"] = float64(r.IntN(10000)) / 100
			}
			t := hour()
			if len(exposedAt) > 0 && r.IntN(2) == 0 {
				t = exposedAt[r.IntN(len(exposedAt))].Add(time.Duration(r.IntN(145)-72) * time.Hour)
			}
			add(name, unit, t, props)
		}
	}
	return evs
}

// refUnit is one assigned unit as the reference computes it.
type refUnit struct {
	key   events.GroupKey
	first time.Time
	evs   []events.Event
}

// refAssign assigns units with plain loops over the events.
func refAssign(evs []events.Event, sc events.Scope) (units map[string]*refUnit, multi, unknown int64) {
	byUnit := map[string][]events.Event{}
	for _, e := range evs {
		byUnit[e.Unit] = append(byUnit[e.Unit], e)
	}
	planned := map[string]bool{}
	for _, a := range sc.Arms {
		planned[a] = true
	}
	units = map[string]*refUnit{}
	for unit, list := range byUnit {
		var exposed bool
		var firstEv *events.Event
		seenArms := map[string]bool{}
		for i := range list {
			e := &list[i]
			if e.Name != sc.Exposure.Event || e.Properties[sc.Exposure.ExperimentProperty] != sc.Experiment ||
				e.Time.Before(sc.Start) || !e.Time.Before(sc.End) {
				continue
			}
			exposed = true
			arm, _ := e.Properties[sc.Exposure.ArmProperty].(string)
			if !planned[arm] {
				continue
			}
			seenArms[arm] = true
			if firstEv == nil || e.Time.Before(firstEv.Time) || (e.Time.Equal(firstEv.Time) && e.ID < firstEv.ID) {
				firstEv = e
			}
		}
		switch {
		case !exposed:
			continue
		case len(seenArms) == 0:
			unknown++
			continue
		case len(seenArms) > 1:
			multi++
			continue
		}
		key := events.GroupKey{Arm: firstEv.Properties[sc.Exposure.ArmProperty].(string)}
		for i, st := range sc.Stages {
			if !st.Start.After(firstEv.Time) {
				key.Stage = i
			}
		}
		if sc.Segment != "" {
			key.Segment = "(none)"
			if v, ok := firstEv.Properties[sc.Segment].(string); ok {
				key.Segment = v
			}
		}
		if sc.Bucket > 0 {
			n := firstEv.Time.Sub(sc.Start) / sc.Bucket
			key.Bucket = sc.Start.Add(n * sc.Bucket)
		}
		units[unit] = &refUnit{key: key, first: firstEv.Time, evs: list}
	}
	return units, multi, unknown
}

// refValue is one unit's value of v over events in [from, to).
func refValue(u *refUnit, v events.EventValue, from, to time.Time, conversion bool) float64 {
	total := 0.0
	for _, e := range u.evs {
		if e.Name != v.Event || e.Time.Before(from) || !e.Time.Before(to) {
			continue
		}
		switch {
		case conversion:
			return 1
		case v.Property == "":
			total++
		default:
			if f, ok := e.Properties[v.Property].(float64); ok {
				total += f
			}
		}
	}
	return total
}

func refMetric(evs []events.Event, sc events.Scope, m events.Metric) map[string]stats.ArmSums {
	units, _, _ := refAssign(evs, sc)
	out := map[string]stats.ArmSums{}
	for _, u := range units {
		to := sc.End
		if m.Window > 0 && u.first.Add(m.Window).Before(to) {
			to = u.first.Add(m.Window)
		}
		conv := m.Kind == events.Conversion
		val := m.Value
		if m.Kind == events.Ratio {
			val = m.Numerator
		} else if m.Kind != events.Mean {
			val.Property = ""
		}
		y := refValue(u, val, u.first, to, conv)
		d, x := 0.0, 0.0
		if m.Kind == events.Ratio {
			d = refValue(u, m.Denominator, u.first, to, false)
		}
		if m.CUPEDLookback > 0 {
			x = refValue(u, val, u.first.Add(-m.CUPEDLookback), u.first, conv)
		}
		k := fmt.Sprint(u.key.Arm, "|", u.key.Stage, "|", u.key.Segment, "|", u.key.Bucket.UnixMicro())
		out[k] = out[k].Add(sumsOf([3]float64{y, d, x}))
	}
	return out
}

func TestRandomDataMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	evs := randomEvents(r, 1000)
	s := openMem(t)
	res := mustAppend(t, s, evs...)
	if res.Inserted != len(evs) {
		t.Fatalf("inserted %d of %d", res.Inserted, len(evs))
	}
	scopes := map[string]events.Scope{"plain": baseScope()}
	sc := baseScope()
	sc.Stages = []events.StageStart{{Name: "a", Start: at(30)}, {Name: "b", Start: at(75)}, {Name: "c", Start: at(150.5)}}
	sc.Segment = "platform"
	sc.Bucket = 36 * time.Hour
	scopes["breakdowns"] = sc
	sc = baseScope()
	sc.Start, sc.End = at(20), at(100) // a shorter window in the middle
	sc.Arms = []string{"treatment", "holdout"}
	scopes["other arms, short"] = sc

	metrics := map[string]events.Metric{
		"conversion 6h":        {Kind: events.Conversion, Value: purchase, Window: 6 * time.Hour},
		"conversion cuped":     {Kind: events.Conversion, Value: purchase, CUPEDLookback: 48 * time.Hour},
		"count":                {Kind: events.Count, Value: pageviews},
		"count 1d cuped":       {Kind: events.Count, Value: purchase, Window: 24 * time.Hour, CUPEDLookback: 72 * time.Hour},
		"mean":                 {Kind: events.Mean, Value: amountSum},
		"mean 12h cuped":       {Kind: events.Mean, Value: amountSum, Window: 12 * time.Hour, CUPEDLookback: 24 * time.Hour},
		"ratio":                {Kind: events.Ratio, Numerator: amountSum, Denominator: pageviews},
		"ratio 2d cuped":       {Kind: events.Ratio, Numerator: amountSum, Denominator: purchase, Window: 48 * time.Hour, CUPEDLookback: 24 * time.Hour},
		"ratio count over sum": {Kind: events.Ratio, Numerator: pageviews, Denominator: amountSum, Window: 30 * time.Hour},
	}
	for sname, sc := range scopes {
		refUnits, multi, unknown := refAssign(evs, sc)
		if len(refUnits) < 50 || multi == 0 || unknown == 0 {
			t.Fatalf("%s: the generator should give many assigned, some multi and some unknown units: %d %d %d", sname, len(refUnits), multi, unknown)
		}
		c := exposures(t, s, sc)
		if c.MultiArmUnits != multi || c.UnknownArmUnits != unknown {
			t.Errorf("%s: multi %d unknown %d, reference %d %d", sname, c.MultiArmUnits, c.UnknownArmUnits, multi, unknown)
		}
		wantCounts := map[string]int64{}
		for _, u := range refUnits {
			wantCounts[fmt.Sprint(u.key.Arm, "|", u.key.Stage, "|", u.key.Segment, "|", u.key.Bucket.UnixMicro())]++
		}
		gotCounts := map[string]int64{}
		for _, g := range c.Groups {
			gotCounts[fmt.Sprint(g.Arm, "|", g.Stage, "|", g.Segment, "|", g.Bucket.UnixMicro())] = g.Units
		}
		if fmt.Sprint(sortedPairs(gotCounts)) != fmt.Sprint(sortedPairs(wantCounts)) {
			t.Errorf("%s: exposures\n got %v\nwant %v", sname, sortedPairs(gotCounts), sortedPairs(wantCounts))
		}
		for mname, m := range metrics {
			want := refMetric(evs, sc, m)
			got := metricSums(t, s, sc, m)
			if len(got) != len(want) {
				t.Errorf("%s / %s: %d groups, reference %d", sname, mname, len(got), len(want))
				continue
			}
			for _, g := range got {
				k := fmt.Sprint(g.Arm, "|", g.Stage, "|", g.Segment, "|", g.Bucket.UnixMicro())
				if w, ok := want[k]; !ok || !closeSums(g.Sums, w) {
					t.Errorf("%s / %s: group %s\n got %+v\nwant %+v", sname, mname, k, g.Sums, w)
				}
			}
		}
	}
}

func sortedPairs(m map[string]int64) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprint(k, "=", v))
	}
	sort.Strings(out)
	return out
}
