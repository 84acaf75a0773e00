// Command generate writes a deterministic telemetry demo for
// examples/plans/telemetry.yaml: OpenMetrics text for Prometheus (request
// counters, a latency histogram, a latency gauge and build_info, per arm
// under the label "variant") and the matching product events (exposures and
// purchases) as NDJSON. The treatment is slower and fails more often, and
// its users buy less when it is slow, so `liftgate analyze` has telemetry
// regressions to find and behaviour to tie them to.
//
//	go run ./examples/telemetry/generate -om demo.om -events demo.ndjson
//	promtool tsdb create-blocks-from openmetrics demo.om demo-tsdb
//
// Samples are one per minute on the minute for -hours hours from -start;
// the plan's stages (10% treatment for 2h, then 50%) drive both the request
// split and the exposures. build_info changes value at 2h and 4h10m (two
// deployments).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"
)

type config struct {
	start      time.Time
	hours      int
	seed       uint64
	errorRatio float64 // treatment error rate / control error rate
	slowdown   float64 // treatment latency / control latency
	experiment string
}

var bounds = []float64{0.05, 0.1, 0.2, 0.3, 0.5, 1, math.Inf(1)}

var arms = []string{"control", "treatment"}

func main() {
	var cfg config
	var start, omPath, eventsPath string
	flag.StringVar(&start, "start", "2026-11-01T00:00:00Z", "first sample (RFC 3339, on a minute)")
	flag.IntVar(&cfg.hours, "hours", 6, "hours of data")
	flag.Uint64Var(&cfg.seed, "seed", 1, "random seed")
	flag.Float64Var(&cfg.errorRatio, "error-ratio", 2, "treatment error rate relative to control")
	flag.Float64Var(&cfg.slowdown, "slowdown", 1.3, "treatment latency relative to control")
	flag.StringVar(&cfg.experiment, "experiment", "telemetry-demo", "experiment id in the exposure events")
	flag.StringVar(&omPath, "om", "telemetry-demo.om", "OpenMetrics output")
	flag.StringVar(&eventsPath, "events", "telemetry-demo.ndjson", "NDJSON events output")
	flag.Parse()
	t, err := time.Parse(time.RFC3339, start)
	if err != nil || t.Second() != 0 || t.Nanosecond() != 0 {
		fmt.Fprintf(os.Stderr, "generate: -start %q must be an RFC 3339 time on a whole minute\n", start)
		os.Exit(2)
	}
	if cfg.hours < 1 || cfg.hours > 24*14 {
		fmt.Fprintln(os.Stderr, "generate: -hours must be between 1 and 336")
		os.Exit(2)
	}
	cfg.start = t.UTC()
	d := simulate(cfg)
	if err := writeFile(omPath, func(w *bufio.Writer) error { return writeOpenMetrics(w, cfg, d) }); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
	if err := writeFile(eventsPath, func(w *bufio.Writer) error { return writeEvents(w, cfg, d) }); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

// data holds per-minute increments per arm (index k: the minute after
// sample k) and gauges per sample.
type data struct {
	steps    int
	requests map[string][]int
	errors   map[string][]int
	hist     map[string][][]int // per step, cumulative counts per bound
	latency  map[string][]float64
	build    []int
}

// treatmentShare is the planned weight of the treatment at step k.
func treatmentShare(k int) float64 {
	if k < 120 {
		return 0.1
	}
	return 0.5
}

func share(arm string, k int) float64 {
	if arm == "treatment" {
		return treatmentShare(k)
	}
	return 1 - treatmentShare(k)
}

func simulate(cfg config) data {
	rng := rand.New(rand.NewPCG(cfg.seed, 2026))
	n := cfg.hours * 60
	d := data{steps: n, requests: map[string][]int{}, errors: map[string][]int{}, hist: map[string][][]int{}, latency: map[string][]float64{}}
	load, lat := ar1(rng, n, 0.9, 0.25), ar1(rng, n+1, 0.8, 0.25)
	for _, arm := range arms {
		errNoise := ar1(rng, n, 0.6, 0.2)
		slow, errMul := 1.0, 1.0
		if arm == "treatment" {
			slow, errMul = cfg.slowdown, cfg.errorRatio
		}
		for k := 0; k < n; k++ {
			req := poisson(rng, 600*math.Exp(load[k])*share(arm, k))
			p := math.Min(1, 0.01*errMul*math.Exp(errNoise[k]))
			d.requests[arm] = append(d.requests[arm], req)
			d.errors[arm] = append(d.errors[arm], binomial(rng, req, p))
			mu := math.Log(0.12*slow) + lat[k+1]
			cum := make([]int, len(bounds))
			for i := 0; i < req; i++ {
				v := math.Exp(mu + 0.5*rng.NormFloat64())
				for b, ub := range bounds {
					if v <= ub {
						cum[b]++
					}
				}
			}
			d.hist[arm] = append(d.hist[arm], cum)
		}
		for k := 0; k <= n; k++ {
			d.latency[arm] = append(d.latency[arm], 0.12*slow*math.Exp(lat[k]+0.02*rng.NormFloat64()))
		}
	}
	for k := 0; k <= n; k++ {
		switch {
		case k < 120:
			d.build = append(d.build, 1)
		case k < 250:
			d.build = append(d.build, 2)
		default:
			d.build = append(d.build, 3)
		}
	}
	return d
}

func ar1(rng *rand.Rand, n int, phi, sd float64) []float64 {
	x := make([]float64, n)
	x[0] = sd * rng.NormFloat64()
	for t := 1; t < n; t++ {
		x[t] = phi*x[t-1] + sd*math.Sqrt(1-phi*phi)*rng.NormFloat64()
	}
	return x
}

// poisson draws by inversion for small means and a rounded normal for large
// ones (the demo needs plausible counts, not exact Poisson tails).
func poisson(rng *rand.Rand, mean float64) int {
	if mean > 50 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func binomial(rng *rand.Rand, n int, p float64) int {
	c := 0
	for range n {
		if rng.Float64() < p {
			c++
		}
	}
	return c
}

func writeFile(path string, write func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeOpenMetrics writes one family at a time (OpenMetrics wants a
// family's samples together), timestamps in seconds, ending in # EOF.
func writeOpenMetrics(w *bufio.Writer, cfg config, d data) error {
	ts := func(k int) int64 { return cfg.start.Add(time.Duration(k) * time.Minute).Unix() }
	fmt.Fprintln(w, "# TYPE http_requests counter")
	for k := 0; k <= d.steps; k++ {
		for _, arm := range arms {
			total, errs := sum(d.requests[arm][:k]), sum(d.errors[arm][:k])
			fmt.Fprintf(w, "http_requests_total{job=\"checkout\",variant=%q,code=\"200\"} %d %d\n", arm, total-errs, ts(k))
			fmt.Fprintf(w, "http_requests_total{job=\"checkout\",variant=%q,code=\"500\"} %d %d\n", arm, errs, ts(k))
		}
	}
	fmt.Fprintln(w, "# TYPE http_request_duration_seconds histogram")
	running := map[string][]int{"control": make([]int, len(bounds)), "treatment": make([]int, len(bounds))}
	for k := 0; k <= d.steps; k++ {
		for _, arm := range arms {
			if k > 0 {
				for b := range bounds {
					running[arm][b] += d.hist[arm][k-1][b]
				}
			}
			for b, ub := range bounds {
				le := "+Inf"
				if !math.IsInf(ub, 1) {
					le = fmt.Sprint(ub)
				}
				fmt.Fprintf(w, "http_request_duration_seconds_bucket{job=\"checkout\",variant=%q,le=%q} %d %d\n", arm, le, running[arm][b], ts(k))
			}
		}
	}
	fmt.Fprintln(w, "# TYPE checkout_latency_seconds gauge")
	for k := 0; k <= d.steps; k++ {
		for _, arm := range arms {
			fmt.Fprintf(w, "checkout_latency_seconds{job=\"checkout\",variant=%q} %.6f %d\n", arm, d.latency[arm][k], ts(k))
		}
	}
	fmt.Fprintln(w, "# TYPE build_info gauge")
	for k := 0; k <= d.steps; k++ {
		fmt.Fprintf(w, "build_info{job=\"checkout\"} %d %d\n", d.build[k], ts(k))
	}
	_, err := fmt.Fprintln(w, "# EOF")
	return err
}

// writeEvents exposes about 400 users per 5 minutes, split by the stage
// weights; a user buys with a probability that falls when the arm was slow
// ten minutes earlier.
func writeEvents(w *bufio.Writer, cfg config, d data) error {
	rng := rand.New(rand.NewPCG(cfg.seed, 7))
	id, user := 0, 0
	for b := 0; b*5 < d.steps; b++ {
		for _, arm := range arms {
			lead := max(b-2, 0) * 5
			latency := mean(d.latency[arm][lead+1 : min(lead+6, len(d.latency[arm]))])
			p := math.Min(0.95, math.Max(0.05, 0.3-2*(latency-0.12)))
			units := poisson(rng, 400*share(arm, b*5))
			for u := 0; u < units; u++ {
				user++
				at := cfg.start.Add(time.Duration(b)*5*time.Minute + time.Duration(rng.Float64()*float64(5*time.Minute)))
				id++
				fmt.Fprintf(w, `{"id":"t%07d","event":"experiment_viewed","user_id":"u%06d","timestamp":%q,"properties":{"experiment_id":%q,"variation_id":%q}}`+"\n",
					id, user, at.Format(time.RFC3339Nano), cfg.experiment, arm)
				if rng.Float64() < p {
					id++
					fmt.Fprintf(w, `{"id":"t%07d","event":"purchase","user_id":"u%06d","timestamp":%q,"properties":{"amount":%.2f}}`+"\n",
						id, user, at.Add(time.Duration(1+rng.IntN(120))*time.Second).Format(time.RFC3339Nano), 20+80*rng.Float64())
				}
			}
		}
	}
	return nil
}

func sum(x []int) int {
	s := 0
	for _, v := range x {
		s += v
	}
	return s
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
