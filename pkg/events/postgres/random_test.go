package postgres

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// TestRandomAgainstPlainGo generates event histories, stores them, and
// compares Exposures and MetricSums with a per-unit computation written
// plainly in Go below, over many scope and metric variants.
func TestRandomAgainstPlainGo(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if s := os.Getenv("LIFTGATE_PG_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("LIFTGATE_PG_SEED: %v", err)
		}
		seeds = []uint64{n}
	}
	srv := testserver.StartPostgres(t)
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x5eed))
			evs := randomEvents(rng, 250)
			src, _ := openTestSource(t, srv, events.LiftgateMapping())
			loadEvents(t, src, evs)

			for _, sc := range randomScopes() {
				ref := newReference(evs, sc)
				name := fmt.Sprintf("unit=%s segment=%q bucket=%s stages=%d", sc.Unit, sc.Segment, sc.Bucket, len(sc.Stages))
				got := mustExposures(t, src, sc)
				want := ref.exposures()
				if got.MultiArmUnits != want.MultiArmUnits || got.UnknownArmUnits != want.UnknownArmUnits || !sameCounts(got.Groups, want.Groups) {
					t.Errorf("%s: exposures\ngot  %+v\nwant %+v", name, got, want)
				}
				if len(want.Groups) < 2 || want.MultiArmUnits == 0 || want.UnknownArmUnits == 0 {
					t.Errorf("%s: generated data too thin to test: %+v", name, want)
				}
				for _, m := range randomMetrics() {
					got := mustSums(t, src, sc, m)
					want := ref.sums(m)
					if !sameSums(got, want) {
						t.Errorf("%s, metric %+v:\ngot  %+v\nwant %+v", name, m, got, want)
					}
				}
			}
		})
	}
}

var randomStart = t0

func randomScopes() []events.Scope {
	base := baseScope()
	base.End = randomStart.Add(7 * 24 * h)
	staged := base
	staged.Stages = []events.StageStart{{Name: "a", Start: randomStart}, {Name: "b", Start: randomStart.Add(24 * h)}, {Name: "c", Start: randomStart.Add(72 * h)}}
	staged.Segment = "country"
	staged.Bucket = 12 * h
	byAccount := staged
	byAccount.Unit = "account"
	byAccount.Bucket = 0
	return []events.Scope{base, staged, byAccount}
}

func randomMetrics() []events.Metric {
	purchase := events.EventValue{Event: "purchase"}
	amount := events.EventValue{Event: "purchase", Property: "amount"}
	pageview := events.EventValue{Event: "pageview"}
	return []events.Metric{
		{Kind: events.Conversion, Value: purchase},
		{Kind: events.Conversion, Value: purchase, Window: 24 * h, CUPEDLookback: 48 * h},
		{Kind: events.Count, Value: pageview, Window: 36 * h},
		{Kind: events.Mean, Value: amount, CUPEDLookback: 24 * h},
		{Kind: events.Ratio, Numerator: amount, Denominator: pageview, Window: 48 * h, CUPEDLookback: 24 * h},
		{Kind: events.Ratio, Numerator: purchase, Denominator: pageview},
	}
}

// randomEvents makes a history around [t0, t0+7d): exposures to planned,
// unknown and missing arms, other experiments, times before Start and after
// End, many on the hour (ties and boundaries), and metric events with
// numeric, textual, boolean and missing amounts.
func randomEvents(rng *rand.Rand, units int) []events.Event {
	var evs []events.Event
	id := 0
	nextID := func() string { id++; return fmt.Sprintf("id%06d", rng.IntN(1_000_000)*1000+id) }
	randTime := func(from, to time.Duration) time.Time {
		if rng.IntN(2) == 0 {
			return randomStart.Add(from + time.Duration(rng.Int64N(int64((to-from)/h)))*h)
		}
		return randomStart.Add(from + time.Duration(rng.Int64N(int64(to-from)))).Truncate(time.Microsecond)
	}
	pick := func(options ...string) string { return options[rng.IntN(len(options))] }
	for u := 0; u < units; u++ {
		unit := fmt.Sprintf("u%03d", u)
		account := fmt.Sprintf("acct%03d", u/2)
		for range rng.IntN(4) {
			props := map[string]any{"experiment": pick("exp", "exp", "exp", "exp", "other"), "account": account}
			if arm := pick("control", "control", "treatment", "treatment", "ghost", ""); arm != "" {
				props["arm"] = arm
			}
			if c := pick("DE", "FR", "US", ""); c != "" {
				props["country"] = c
			}
			switch rng.IntN(20) {
			case 0, 1:
				delete(props, "account")
			case 2:
				props["account"] = ""
			}
			evs = append(evs, ev(nextID(), "exposure", unit, randTime(-24*h, 8*24*h), props))
		}
		for range rng.IntN(7) {
			props := map[string]any{"account": account}
			switch rng.IntN(6) {
			case 0:
				props["amount"] = float64(rng.IntN(10000)) / 100
			case 1:
				props["amount"] = rng.IntN(50) - 10
			case 2:
				props["amount"] = "7.5"
			case 3:
				props["amount"] = true
			case 4:
				props["amount"] = rng.Float64() * 1e6
			}
			evs = append(evs, ev(nextID(), pick("purchase", "pageview", "pageview", "other"), unit, randTime(-3*24*h, 8*24*h), props))
		}
	}
	return evs
}

// reference is the plain-Go per-unit computation of the query semantics.
type reference struct {
	evs            []events.Event
	sc             events.Scope
	units          map[string]refUnit // assigned units
	multi, unknown int64
}

type refUnit struct {
	first time.Time
	key   events.GroupKey
}

func newReference(evs []events.Event, sc events.Scope) *reference {
	r := &reference{evs: evs, sc: sc, units: map[string]refUnit{}}
	type exposure struct {
		t       time.Time
		id, arm string
		seg     string
	}
	planned := map[string][]exposure{}
	seen := map[string]bool{}
	for _, e := range evs {
		unit, ok := r.unitOf(e)
		if !ok || unit == "" || e.Name != sc.Exposure.Event || e.Properties[sc.Exposure.ExperimentProperty] != sc.Experiment ||
			e.Time.Before(sc.Start) || !e.Time.Before(sc.End) {
			continue
		}
		seen[unit] = true
		arm, isText := e.Properties[sc.Exposure.ArmProperty].(string)
		if !isText || !slices.Contains(sc.Arms, arm) {
			continue
		}
		seg := "(none)"
		if s, ok := e.Properties[sc.Segment].(string); ok {
			seg = s
		}
		planned[unit] = append(planned[unit], exposure{e.Time, e.ID, arm, seg})
	}
	for unit := range seen {
		xs := planned[unit]
		if len(xs) == 0 {
			r.unknown++
			continue
		}
		arms := map[string]bool{}
		for _, x := range xs {
			arms[x.arm] = true
		}
		if len(arms) > 1 {
			r.multi++
			continue
		}
		first := xs[0]
		for _, x := range xs[1:] {
			if x.t.Before(first.t) || (x.t.Equal(first.t) && x.id < first.id) {
				first = x
			}
		}
		key := events.GroupKey{Arm: first.arm}
		for i, st := range sc.Stages {
			if !st.Start.After(first.t) {
				key.Stage = i
			}
		}
		if sc.Segment != "" {
			key.Segment = first.seg
		}
		if sc.Bucket > 0 {
			key.Bucket = sc.Start.Add(first.t.Sub(sc.Start) / sc.Bucket * sc.Bucket)
		}
		r.units[unit] = refUnit{first: first.t, key: key}
	}
	return r
}

// unitOf is the event's unit: its own, or the named text property (an
// empty unit is no unit).
func (r *reference) unitOf(e events.Event) (string, bool) {
	if r.sc.Unit == "" || r.sc.Unit == "user_id" {
		return e.Unit, true
	}
	u, ok := e.Properties[r.sc.Unit].(string)
	return u, ok
}

func (r *reference) exposures() events.ExposureCounts {
	counts := map[events.GroupKey]int64{}
	for _, u := range r.units {
		counts[u.key]++
	}
	out := events.ExposureCounts{MultiArmUnits: r.multi, UnknownArmUnits: r.unknown}
	for k, n := range counts {
		out.Groups = append(out.Groups, events.GroupCount{GroupKey: k, Units: n})
	}
	return out
}

// value is one unit's value of v over events with time in [from, to).
func (r *reference) value(unit string, v events.EventValue, from, to time.Time, conversion bool) float64 {
	total := 0.0
	for _, e := range r.evs {
		u, ok := r.unitOf(e)
		if !ok || u != unit || e.Name != v.Event || e.Time.Before(from) || !e.Time.Before(to) {
			continue
		}
		switch {
		case conversion:
			return 1
		case v.Property == "":
			total++
		default:
			switch x := e.Properties[v.Property].(type) {
			case float64:
				total += x
			case int:
				total += float64(x)
			}
		}
	}
	return total
}

func (r *reference) sums(m events.Metric) []events.GroupSums {
	num, den := m.Value, events.EventValue{}
	switch m.Kind {
	case events.Ratio:
		num, den = m.Numerator, m.Denominator
	case events.Conversion, events.Count:
		num = events.EventValue{Event: m.Value.Event}
	}
	conv := m.Kind == events.Conversion
	groups := map[events.GroupKey]stats.ArmSums{}
	for unit, u := range r.units {
		end := r.sc.End
		if m.Window > 0 && u.first.Add(m.Window).Before(end) {
			end = u.first.Add(m.Window)
		}
		y := r.value(unit, num, u.first, end, conv)
		var d, x float64
		if m.Kind == events.Ratio {
			d = r.value(unit, den, u.first, end, false)
		}
		if m.CUPEDLookback > 0 {
			x = r.value(unit, num, u.first.Add(-m.CUPEDLookback), u.first, conv)
		}
		g := groups[u.key]
		g.N++
		g.SumY += y
		g.SumY2 += y * y
		g.SumD += d
		g.SumD2 += d * d
		g.SumYD += y * d
		g.SumX += x
		g.SumX2 += x * x
		g.SumXY += x * y
		groups[u.key] = g
	}
	var out []events.GroupSums
	for k, s := range groups {
		out = append(out, events.GroupSums{GroupKey: k, Sums: s})
	}
	return out
}

func sameCounts(got, want []events.GroupCount) bool {
	if len(got) != len(want) {
		return false
	}
	m := map[events.GroupKey]int64{}
	for _, g := range want {
		m[g.GroupKey] = g.Units
	}
	for _, g := range got {
		if n, ok := m[g.GroupKey]; !ok || n != g.Units {
			return false
		}
	}
	return true
}

func sameSums(got, want []events.GroupSums) bool {
	if len(got) != len(want) {
		return false
	}
	m := map[events.GroupKey]stats.ArmSums{}
	for _, g := range want {
		m[g.GroupKey] = g.Sums
	}
	for _, g := range got {
		w, ok := m[g.GroupKey]
		if !ok || !sumsEqual(g.Sums, w) {
			return false
		}
	}
	return true
}
