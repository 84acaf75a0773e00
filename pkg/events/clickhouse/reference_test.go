package clickhouse

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// This file is the plain-Go statement of the per-unit semantics
// (pkg/events/query.go) that the randomised test holds the SQL to. It works
// event by event, unit by unit, with no cleverness.

// refUnit is one exposed unit as the reference sees it.
type refUnit struct {
	plannedArms map[string]bool
	first       time.Time // earliest planned exposure
	firstID     string
	arm         string
	segment     string
}

// refValueText is a property as text: strings as themselves, numbers as
// written, booleans as true/false; ok is false when absent or null.
func refValueText(props map[string]any, key string) (string, bool) {
	v, ok := props[key]
	if !ok || v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	default:
		b, _ := json.Marshal(x)
		return string(b), true
	}
}

// refNumber is a property as a number: only finite JSON numbers count.
func refNumber(props map[string]any, key string) float64 {
	n, ok := props[key].(json.Number)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	return f
}

func refUnitOf(e events.Event, sc events.Scope) string {
	if sc.Unit == "" || sc.Unit == "user_id" {
		return e.Unit
	}
	u, _ := refValueText(e.Properties, sc.Unit)
	return u
}

// refUnits classifies units from exposure events.
func refUnits(evs []events.Event, sc events.Scope) (assigned map[string]*refUnit, multi, unknown int64) {
	all := map[string]*refUnit{}
	for _, e := range evs {
		if e.Name != sc.Exposure.Event || e.Time.Before(sc.Start) || !e.Time.Before(sc.End) {
			continue
		}
		if exp, _ := refValueText(e.Properties, sc.Exposure.ExperimentProperty); exp != sc.Experiment {
			continue
		}
		u := refUnitOf(e, sc)
		if u == "" {
			continue
		}
		ru := all[u]
		if ru == nil {
			ru = &refUnit{plannedArms: map[string]bool{}}
			all[u] = ru
		}
		arm, _ := refValueText(e.Properties, sc.Exposure.ArmProperty)
		if !slices.Contains(sc.Arms, arm) {
			continue
		}
		ru.plannedArms[arm] = true
		seg := ""
		if sc.Segment != "" {
			var ok bool
			if seg, ok = refValueText(e.Properties, sc.Segment); !ok {
				seg = "(none)"
			}
		}
		// Earliest wins; ties go to the smaller id, then the smaller segment.
		if ru.first.IsZero() || e.Time.Before(ru.first) ||
			(e.Time.Equal(ru.first) && (e.ID < ru.firstID || (e.ID == ru.firstID && seg < ru.segment))) {
			ru.first, ru.firstID, ru.arm, ru.segment = e.Time, e.ID, arm, seg
		}
	}
	assigned = map[string]*refUnit{}
	for u, ru := range all {
		switch len(ru.plannedArms) {
		case 0:
			unknown++
		case 1:
			assigned[u] = ru
		default:
			multi++
		}
	}
	return assigned, multi, unknown
}

func refKey(ru *refUnit, sc events.Scope) events.GroupKey {
	k := events.GroupKey{Arm: ru.arm, Segment: ru.segment}
	for i := len(sc.Stages) - 1; i >= 1; i-- {
		if !ru.first.Before(sc.Stages[i].Start) {
			k.Stage = i
			break
		}
	}
	if sc.Bucket > 0 {
		n := ru.first.Sub(sc.Start) / sc.Bucket
		k.Bucket = sc.Start.Add(n * sc.Bucket).UTC()
	}
	return k
}

func refExposures(evs []events.Event, sc events.Scope) events.ExposureCounts {
	assigned, multi, unknown := refUnits(evs, sc)
	counts := map[events.GroupKey]int64{}
	for _, ru := range assigned {
		counts[refKey(ru, sc)]++
	}
	out := events.ExposureCounts{MultiArmUnits: multi, UnknownArmUnits: unknown}
	for k, n := range counts {
		out.Groups = append(out.Groups, events.GroupCount{GroupKey: k, Units: n})
	}
	cmp := events.CompareGroupKeys(sc)
	slices.SortFunc(out.Groups, func(a, b events.GroupCount) int { return cmp(a.GroupKey, b.GroupKey) })
	return out
}

// refValue is one unit's value of v over events in [from, to).
func refValue(evs []events.Event, sc events.Scope, unit string, v events.EventValue, from, to time.Time, conversion bool) float64 {
	total := 0.0
	for _, e := range evs {
		if e.Name != v.Event || refUnitOf(e, sc) != unit || e.Time.Before(from) || !e.Time.Before(to) || !e.Time.Before(sc.End) {
			continue
		}
		if v.Property == "" || conversion {
			total++
		} else {
			total += refNumber(e.Properties, v.Property)
		}
	}
	if conversion && total > 0 {
		return 1
	}
	return total
}

func refMetricSums(evs []events.Event, sc events.Scope, m events.Metric) map[events.GroupKey]stats.ArmSums {
	assigned, _, _ := refUnits(evs, sc)
	out := map[events.GroupKey]stats.ArmSums{}
	value := m.Value
	if m.Kind == events.Ratio {
		value = m.Numerator
	}
	if m.Kind == events.Count || m.Kind == events.Conversion {
		value.Property = ""
	}
	conversion := m.Kind == events.Conversion
	for u, ru := range assigned {
		to := sc.End
		if m.Window > 0 {
			to = ru.first.Add(m.Window)
		}
		y := refValue(evs, sc, u, value, ru.first, to, conversion)
		var d, x []float64
		if m.Kind == events.Ratio {
			d = []float64{refValue(evs, sc, u, m.Denominator, ru.first, to, false)}
		}
		if m.CUPEDLookback > 0 {
			x = []float64{refValue(evs, sc, u, value, ru.first.Add(-m.CUPEDLookback), ru.first, conversion)}
		}
		k := refKey(ru, sc)
		out[k] = out[k].Add(sumsOf([]float64{y}, d, x))
	}
	return out
}
