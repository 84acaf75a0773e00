package clickhouse

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// randomEvents makes a history with every awkward case in some units:
// several exposures, unplanned and missing arms, other experiments,
// exposures outside [Start, End), equal timestamps, string and missing
// amounts, numeric and missing segments. Times are whole seconds because
// 18.16 stores DateTime.
func randomEvents(r *rand.Rand, units int, start, end time.Time) []events.Event {
	span := end.Sub(start) + 2*day
	at := func(grain time.Duration) time.Time {
		n := r.Int64N(int64(span / grain))
		return start.Add(-day + time.Duration(n)*grain)
	}
	pick := func(xs ...any) any { return xs[r.IntN(len(xs))] }
	var out []events.Event
	id := 0
	next := func() string { id++; return fmt.Sprintf("e%05d", r.IntN(100000)*1000+id%1000) }
	for u := range units {
		unit := fmt.Sprintf("u%03d", u)
		account := fmt.Sprintf("acc%02d", r.IntN(units/3+1))
		for range r.IntN(4) {
			props := map[string]any{"experiment": pick("exp1", "exp1", "exp1", "exp2"), "account": account}
			if arm := pick("control", "treatment", "treatment", "bogus", nil); arm != nil {
				props["arm"] = arm
			}
			if seg := pick("US", "DE", json.Number("7"), nil); seg != nil {
				props["country"] = seg
			}
			out = append(out, events.Event{ID: next(), Name: "exposure", Unit: unit, Time: at(time.Hour), Properties: props})
		}
		for range r.IntN(7) {
			props := map[string]any{"account": account}
			switch r.IntN(4) {
			case 0, 1:
				props["amount"] = json.Number(fmt.Sprintf("%d.%02d", r.IntN(200)-20, r.IntN(100)))
			case 2:
				props["amount"] = "12"
			}
			name := pick("purchase", "purchase", "session", "other").(string)
			out = append(out, events.Event{ID: next(), Name: name, Unit: unit, Time: at(time.Second), Properties: props})
		}
	}
	return out
}

func TestRandomisedAgainstReference(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	s, _ := openTestSource(t, srv, events.Mapping{})
	ctx := testCtx(t)
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 7))
	end := t0.Add(10 * day)
	evs := randomEvents(r, 400, t0, end)
	n, err := s.Insert(ctx, evs)
	if err != nil {
		t.Fatal(err)
	}
	// randomEvents may repeat an id; Insert keeps the first, and so must
	// the reference.
	seen := map[string]bool{}
	var kept []events.Event
	for _, e := range evs {
		if !seen[e.ID] {
			seen[e.ID] = true
			kept = append(kept, e)
		}
	}
	if n != int64(len(kept)) {
		t.Fatalf("Insert stored %d events, want %d distinct ids", n, len(kept))
	}

	scopes := map[string]events.Scope{}
	plain := baseScope()
	scopes["plain"] = plain
	staged := plain
	staged.Stages = []events.StageStart{{Name: "a", Start: t0}, {Name: "b", Start: t0.Add(3 * day)}, {Name: "c", Start: t0.Add(6*day + 90*time.Minute)}}
	scopes["stages"] = staged
	broken := staged
	broken.Segment, broken.Bucket = "country", 2*day+time.Hour
	scopes["segment and bucket"] = broken
	byAccount := plain
	byAccount.Unit = "account"
	scopes["account unit"] = byAccount

	amount := events.EventValue{Event: "purchase", Property: "amount"}
	metrics := map[string]events.Metric{
		"conversion":        {Kind: events.Conversion, Value: events.EventValue{Event: "purchase"}},
		"count window":      {Kind: events.Count, Value: events.EventValue{Event: "session"}, Window: 2*day + 30*time.Minute},
		"mean":              {Kind: events.Mean, Value: amount},
		"mean cuped window": {Kind: events.Mean, Value: amount, Window: 4 * day, CUPEDLookback: 3 * day},
		"conversion cuped":  {Kind: events.Conversion, Value: events.EventValue{Event: "purchase"}, CUPEDLookback: day},
		"ratio":             {Kind: events.Ratio, Numerator: amount, Denominator: events.EventValue{Event: "session"}},
		"ratio same event":  {Kind: events.Ratio, Numerator: amount, Denominator: events.EventValue{Event: "purchase"}, CUPEDLookback: 2 * day},
	}
	for sname, sc := range scopes {
		t.Run(sname, func(t *testing.T) {
			got, err := s.Exposures(ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			checkExposures(t, got, refExposures(kept, sc))
			for mname, m := range metrics {
				sums, err := s.MetricSums(ctx, sc, m)
				if err != nil {
					t.Fatalf("%s: %v", mname, err)
				}
				want := refMetricSums(kept, sc, m)
				if len(want) == 0 {
					t.Fatalf("%s: the reference has no groups; the generator is broken", mname)
				}
				t.Run(mname, func(t *testing.T) { checkSums(t, sums, want) })
			}
		})
	}
}
