// Command generate writes a deterministic stream of product events for the
// checkout-v2 example plan, with a known injected effect, so `liftgate
// analyze` has something real to find and tests have something to check.
//
// Traffic: units arrive over the window with a daily cycle; each unit's
// first exposure assigns an arm with the weights of the stage in force
// (canary 1%, ramp-5 5%, half 50%). Control converts with probability
// -base-conversion within 72h; treatment with that times (1 + -lift).
// Purchases carry a heavy-tailed (log-normal) amount; sessions and client
// errors drive the errors-per-session guardrail. A small share of units is
// exposed to both arms (excluded by the analysis) and a small share of
// exposures carry an arm nobody planned; some events are sent twice with the
// same id (deduplicated on import).
//
// Further flags bend the stream for the engine's reference cases (see
// scripts/reference): -arms adds treatment arms, -stages changes the ramp,
// -trend adds a drift in conversion over time, -skew breaks the split (a
// sample-ratio mismatch), -repeat-exposure re-exposes units later and
// -whole-seconds truncates times to whole seconds (for stores that hold
// only seconds, like ClickHouse 18.16's DateTime). Their defaults leave the
// output byte-for-byte as it was.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
)

type config struct {
	units          int
	start          time.Time
	duration       time.Duration
	seed           uint64
	baseConversion float64
	lift           float64 // relative conversion lift of the treatment
	errorLift      float64 // relative change in client errors per session
	multiArmShare  float64
	unknownShare   float64
	duplicateShare float64
	experiment     string
	sessions       float64
	// arms[0] is the control; the others share the treatment weight equally.
	arms []armSpec
	// stages is the ramp: the treatment weight in force from each offset on.
	stages []stageSpec
	// trend scales conversion by 1 + trend·f for a unit first exposed at
	// fraction f of the exposure window (0 = no drift).
	trend float64
	// skew multiplies the treatment weight actually used for assignment
	// (1 = as planned), to simulate a broken split.
	skew float64
	// repeatShare is the share of units exposed again, later, to their own
	// arm with a different platform: only the first exposure may count.
	repeatShare float64
	// wholeSeconds truncates every written time to its second. Only the
	// output is truncated, so the random stream (and every other value)
	// stays the same as without it.
	wholeSeconds bool
}

// armSpec is one arm and, for treatment arms, its relative conversion lift.
type armSpec struct {
	name string
	lift float64
}

// stageSpec is one step of the ramp.
type stageSpec struct {
	offset time.Duration // since -start
	weight float64       // total share of the treatment arms
}

func main() {
	var c config
	var out, start string
	flag.IntVar(&c.units, "units", 20000, "number of units (users) to expose")
	flag.StringVar(&start, "start", "2026-11-01T00:00:00Z", "first exposure time (RFC 3339)")
	flag.DurationVar(&c.duration, "duration", 72*time.Hour, "exposure window")
	flag.Uint64Var(&c.seed, "seed", 42, "random seed")
	flag.Float64Var(&c.baseConversion, "base-conversion", 0.10, "control conversion probability within 72h")
	flag.Float64Var(&c.lift, "lift", 0.15, "relative conversion lift of the treatment (the injected effect)")
	flag.Float64Var(&c.errorLift, "error-lift", 0, "relative change of the treatment's client errors per session")
	flag.Float64Var(&c.multiArmShare, "multi-arm", 0.005, "share of units exposed to both arms")
	flag.Float64Var(&c.unknownShare, "unknown-arm", 0.002, "share of units exposed with an unplanned arm value")
	flag.Float64Var(&c.duplicateShare, "duplicates", 0.01, "share of events written twice with the same id")
	flag.StringVar(&c.experiment, "experiment", "checkout-v2", "experiment id")
	flag.StringVar(&out, "out", "-", "output file (- = stdout; .gz compresses)")
	var arms, stages string
	flag.StringVar(&arms, "arms", "control,treatment", "arms, control first; a treatment arm may carry its own lift as name:lift (default -lift); treatment arms share the treatment weight equally")
	flag.StringVar(&stages, "stages", "0s:0.01,1h:0.05,3h:0.5", "ramp as offset:treatment-weight pairs, offsets since -start in increasing order")
	flag.Float64Var(&c.trend, "trend", 0, "conversion drift: a unit first exposed at fraction f of the window converts with probability x (1 + trend*f)")
	flag.Float64Var(&c.skew, "skew", 1, "factor on the treatment weight used for assignment (1 = as planned; other values cause a sample-ratio mismatch)")
	flag.Float64Var(&c.sessions, "sessions", 2, "mean extra sessions per unit (scales events per unit; ~2 gives 5 events per unit, ~5.5 gives 10)")
	flag.Float64Var(&c.repeatShare, "repeat-exposure", 0, "share of units exposed again to their own arm 1-30h later, with another platform")
	flag.BoolVar(&c.wholeSeconds, "whole-seconds", false, "truncate event times to whole seconds (for ClickHouse 18.16, whose DateTime holds seconds)")
	flag.Parse()
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "generate: -start: %v\n", err)
		os.Exit(2)
	}
	c.start = t.UTC()
	if c.arms, err = parseArms(arms, c.lift); err != nil {
		fmt.Fprintf(os.Stderr, "generate: -arms: %v\n", err)
		os.Exit(2)
	}
	if c.stages, err = parseStages(stages); err != nil {
		fmt.Fprintf(os.Stderr, "generate: -stages: %v\n", err)
		os.Exit(2)
	}
	if c.skew <= 0 {
		fmt.Fprintf(os.Stderr, "generate: -skew: expected a positive factor, got %g\n", c.skew)
		os.Exit(2)
	}
	if err := write(out, c); err != nil {
		fmt.Fprintf(os.Stderr, "generate: %v\n", err)
		os.Exit(1)
	}
}

func write(path string, c config) error {
	var w io.Writer = os.Stdout
	var closers []io.Closer
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		closers = append(closers, f)
		w = f
		if strings.HasSuffix(path, ".gz") {
			gz := gzip.NewWriter(f)
			closers = append([]io.Closer{gz}, closers...)
			w = gz
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	g := &generator{c: c, rng: rand.New(rand.NewPCG(c.seed, c.seed^0x9e3779b97f4a7c15)), w: bw}
	for i := 0; i < c.units; i++ {
		g.unit(i)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	for _, cl := range closers {
		if err := cl.Close(); err != nil {
			return err
		}
	}
	return g.err
}

type generator struct {
	c   config
	rng *rand.Rand
	w   *bufio.Writer
	seq int
	err error
	buf []byte
}

// treatmentWeight is the total treatment share of the stage in force at t;
// by default the example plan's: canary 1h at 1%, ramp-5 2h at 5%, then 50%.
func (g *generator) treatmentWeight(t time.Time) float64 {
	since := t.Sub(g.c.start)
	w := g.c.stages[0].weight
	for _, s := range g.c.stages {
		if since >= s.offset {
			w = s.weight
		}
	}
	return w
}

// arrival draws an exposure time with a daily cycle (busier in the evening).
func (g *generator) arrival() time.Time {
	for {
		u := g.rng.Float64() * float64(g.c.duration)
		t := g.c.start.Add(time.Duration(u))
		hour := float64(t.Hour()) + float64(t.Minute())/60
		intensity := 1 + 0.6*math.Sin(2*math.Pi*(hour-14)/24)
		if g.rng.Float64()*1.6 < intensity {
			return t
		}
	}
}

func (g *generator) unit(i int) {
	user := fmt.Sprintf("u%07d", i)
	first := g.arrival()
	// One uniform draw picks the arm: below the treatment weight it falls in
	// one of the treatment arms' equal slices.
	armIdx := 0
	w := g.treatmentWeight(first) * g.c.skew
	k := len(g.c.arms) - 1
	if u := g.rng.Float64(); u < w {
		armIdx = 1 + min(int(u/(w/float64(k))), k-1)
	}
	arm := g.c.arms[armIdx].name
	platform := [...]string{"web", "ios", "android"}[g.rng.IntN(3)]
	country := [...]string{"US", "DE", "BR", "IN", "JP"}[g.rng.IntN(5)]
	treated := armIdx > 0

	// Pre-exposure history feeds CUPED: heavier buyers before stay heavier after.
	propensity := math.Exp(g.rng.NormFloat64() * 0.5)
	for k := 0; k < poisson(g.rng, 0.3*propensity); k++ {
		t := first.Add(-time.Duration(g.rng.Float64() * float64(300*time.Hour)))
		g.event("purchase", user, t, map[string]any{"amount": amount(g.rng)})
	}

	armValue := arm
	if g.rng.Float64() < g.c.unknownShare {
		armValue = "treatment-old"
	}
	g.event("experiment_viewed", user, first, map[string]any{
		"experiment_id": g.c.experiment, "variation_id": armValue, "platform": platform, "country": country,
	})
	if g.rng.Float64() < g.c.multiArmShare {
		// Control units see a treatment arm (which one cycles with i);
		// treatment units see the control.
		other := g.c.arms[0].name
		if !treated {
			other = g.c.arms[1+i%k].name
		}
		g.event("experiment_viewed", user, first.Add(time.Duration(1+g.rng.IntN(3600))*time.Second), map[string]any{
			"experiment_id": g.c.experiment, "variation_id": other, "platform": platform, "country": country,
		})
	}
	if g.c.repeatShare > 0 && g.rng.Float64() < g.c.repeatShare {
		// The same arm again, later (often in a later stage) and on another
		// platform: stage, segment and windows still follow the first exposure.
		again := first.Add(time.Hour + time.Duration(g.rng.Float64()*float64(29*time.Hour)))
		other := [...]string{"web", "ios", "android"}[(g.rng.IntN(2)+1+indexOf(platform))%3]
		g.event("experiment_viewed", user, again, map[string]any{
			"experiment_id": g.c.experiment, "variation_id": armValue, "platform": other, "country": country,
		})
	}
	// An exposure to some other experiment must not count for this one.
	if g.rng.Float64() < 0.05 {
		g.event("experiment_viewed", user, first, map[string]any{"experiment_id": "search-ranking", "variation_id": "treatment"})
	}

	sessions := 1 + poisson(g.rng, g.c.sessions*propensity)
	errRate := 0.08
	if treated {
		errRate *= 1 + g.c.errorLift
	}
	for s := 0; s < sessions; s++ {
		t := first.Add(time.Duration(g.rng.Float64() * float64(96*time.Hour)))
		g.event("session_start", user, t, map[string]any{"platform": platform})
		for e := 0; e < poisson(g.rng, errRate*propensity); e++ {
			g.event("client_error", user, t.Add(time.Duration(g.rng.IntN(600))*time.Second), map[string]any{"code": 500})
		}
	}

	p := g.c.baseConversion * math.Min(propensity, 3)
	if treated {
		p *= 1 + g.c.arms[armIdx].lift
	}
	if g.c.trend != 0 {
		p *= 1 + g.c.trend*float64(first.Sub(g.c.start))/float64(g.c.duration)
	}
	if g.rng.Float64() < math.Min(p, 0.95) {
		purchases := 1 + poisson(g.rng, 0.3)
		for k := 0; k < purchases; k++ {
			// Most purchases land within the 72h conversion window; some after.
			t := first.Add(time.Duration(g.rng.ExpFloat64() * float64(30*time.Hour)))
			g.event("purchase", user, t, map[string]any{"amount": amount(g.rng)})
		}
	}
}

// parseArms reads "control,treatment,treatment-b:0.05": the control first,
// then treatment arms with an optional lift (defaultLift otherwise).
func parseArms(s string, defaultLift float64) ([]armSpec, error) {
	var out []armSpec
	seen := map[string]bool{}
	for i, field := range strings.Split(s, ",") {
		name, liftText, hasLift := strings.Cut(strings.TrimSpace(field), ":")
		if name == "" {
			return nil, fmt.Errorf("arm %d: expected a name, got %q", i+1, field)
		}
		if seen[name] {
			return nil, fmt.Errorf("arm %d: %q is listed twice", i+1, name)
		}
		seen[name] = true
		a := armSpec{name: name, lift: defaultLift}
		if hasLift {
			if i == 0 {
				return nil, fmt.Errorf("arm 1 (%s) is the control and cannot carry a lift", name)
			}
			lift, err := strconv.ParseFloat(liftText, 64)
			if err != nil || math.IsNaN(lift) || math.IsInf(lift, 0) || lift <= -1 {
				return nil, fmt.Errorf("arm %s: expected a lift above -1 like 0.15, got %q", name, liftText)
			}
			a.lift = lift
		}
		out = append(out, a)
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("expected a control and at least one treatment arm, got %q", s)
	}
	return out, nil
}

// parseStages reads "0s:0.01,1h:0.05,3h:0.5".
func parseStages(s string) ([]stageSpec, error) {
	var out []stageSpec
	for i, field := range strings.Split(s, ",") {
		offText, wText, ok := strings.Cut(strings.TrimSpace(field), ":")
		if !ok {
			return nil, fmt.Errorf("stage %d: expected offset:weight like 1h:0.05, got %q", i+1, field)
		}
		off, err := time.ParseDuration(offText)
		if err != nil || off < 0 {
			return nil, fmt.Errorf("stage %d: expected a non-negative offset like 1h, got %q", i+1, offText)
		}
		w, err := strconv.ParseFloat(wText, 64)
		if err != nil || !(w >= 0 && w <= 1) {
			return nil, fmt.Errorf("stage %d: expected a treatment weight in [0, 1], got %q", i+1, wText)
		}
		if i == 0 && off != 0 {
			return nil, fmt.Errorf("stage 1: the first stage starts at offset 0s, got %q", offText)
		}
		if i > 0 && off <= out[i-1].offset {
			return nil, fmt.Errorf("stage %d: offset %s is not after the previous stage's %s", i+1, off, out[i-1].offset)
		}
		out = append(out, stageSpec{offset: off, weight: w})
	}
	return out, nil
}

func indexOf(platform string) int {
	switch platform {
	case "ios":
		return 1
	case "android":
		return 2
	}
	return 0
}

// amount is a heavy-tailed purchase value.
func amount(r *rand.Rand) float64 {
	return math.Round(math.Exp(3.5+0.9*r.NormFloat64())*100) / 100
}

func poisson(r *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// event writes one NDJSON line in liftgate's own shape.
func (g *generator) event(name, user string, t time.Time, props map[string]any) {
	g.seq++
	id := fmt.Sprintf("e%09d", g.seq)
	b := g.buf[:0]
	b = append(b, `{"id":"`...)
	b = append(b, id...)
	b = append(b, `","event":"`...)
	b = append(b, name...)
	b = append(b, `","user_id":"`...)
	b = append(b, user...)
	b = append(b, `","timestamp":"`...)
	if g.c.wholeSeconds {
		t = t.Truncate(time.Second)
	}
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","properties":{`...)
	first := true
	for _, k := range sortedProps(props) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = strconv.AppendQuote(b, k)
		b = append(b, ':')
		switch v := props[k].(type) {
		case string:
			b = strconv.AppendQuote(b, v)
		case float64:
			b = strconv.AppendFloat(b, v, 'f', -1, 64)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		}
	}
	b = append(b, "}}\n"...)
	g.buf = b
	g.writeLine(b)
	if g.rng.Float64() < g.c.duplicateShare {
		g.writeLine(b)
	}
}

func (g *generator) writeLine(b []byte) {
	if g.err == nil {
		_, g.err = g.w.Write(b)
	}
}

// sortedProps keeps the output byte-for-byte deterministic.
func sortedProps(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
