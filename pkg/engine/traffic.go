package engine

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// Traffic check outcomes.
const (
	TrafficOK               = "ok"
	TrafficMismatch         = "mismatch"
	TrafficInsufficientData = "insufficient_data"
)

// trafficMinSteps is the shortest batch of the traffic check, in steps.
const trafficMinSteps = 5

// TrafficResult is the traffic-split check from telemetry: each arm's share
// of the request counter against the weights in force (a sample-ratio check
// for canaries, whose traffic is split by a router rather than by assigning
// users).
type TrafficResult struct {
	Status string `json:"status"` // ok, mismatch or insufficient_data
	// Requests is the counter selector from telemetry.requests.
	Requests string       `json:"requests"`
	Arms     []TrafficArm `json:"arms"`
	// PValue is the smallest per-arm p-value times the number of arms
	// (Bonferroni), 1 when no test was made.
	PValue        float64 `json:"p_value"`
	Threshold     float64 `json:"threshold"`
	Batches       int     `json:"batches"`
	StepsPerBatch int     `json:"steps_per_batch"`
	Reason        string  `json:"reason"`
}

// TrafficArm is one arm's requests and share.
type TrafficArm struct {
	Name           string  `json:"name"`
	Requests       float64 `json:"requests"`
	ExpectedWeight float64 `json:"expected_weight"`
	ObservedWeight float64 `json:"observed_weight"`
	PValue         float64 `json:"p_value"`
}

// checkTraffic compares the request counter's split between arms with the
// stage weights in force at each step. Requests are not independent units
// (a user sends many, retries cluster, load drifts), so a Pearson χ² on
// request counts would call every canary a mismatch; instead each arm's
// share deviation is tested with the same autocorrelation-aware batch means
// as telemetry metrics. An arm without requests gives insufficient_data:
// neither a failure nor a pass. Nil when the plan names no request counter
// or no telemetry source is configured.
func checkTraffic(ctx context.Context, p *plan.Plan, scope events.Scope, opts Options) *TrafficResult {
	if opts.Telemetry == nil || p.Telemetry == nil || p.Telemetry.Requests == "" {
		return nil
	}
	t := p.Telemetry
	res := &TrafficResult{Status: TrafficInsufficientData, Requests: t.Requests, PValue: 1, Threshold: p.Analysis.SRMThreshold}
	ta := p.TelemetryArms("", nil, 0)
	grid, err := alignedGrid(p, p.Start, scope.End, ta.Step)
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	arms := telemetry.ArmsFromPlan(p, ta)
	counts := map[string][]float64{}
	for _, arm := range arms.Names {
		c, err := telemetry.FetchCounter(ctx, telemetrySource(opts), t.Requests, arms, arm, grid)
		if err != nil {
			res.Reason = fmt.Sprintf("telemetry unavailable: %v", err)
			return res
		}
		counts[arm] = c
	}
	judgeTraffic(p, grid, arms, counts, res)
	return res
}

// judgeTraffic fills res from per-arm request increases per step.
func judgeTraffic(p *plan.Plan, grid telemetry.Grid, arms telemetry.Arms, counts map[string][]float64, res *TrafficResult) {
	// A step counts when every arm reported (a missing series is not zero
	// requests: the scrape may have failed).
	schedule := p.Schedule()
	weights := make([]map[string]float64, grid.Steps)
	total := make([]float64, grid.Steps)
	for k := range total {
		weights[k] = currentStage(schedule, grid.WindowStart(k)).Weights
		for _, arm := range arms.Names {
			c := counts[arm][k]
			if math.IsNaN(c) {
				total[k] = math.NaN()
				break
			}
			total[k] += c
		}
	}
	// Shares for display count every reported request (a missing series
	// counts as none here); the test below uses only complete steps.
	var all float64
	expected := map[string]float64{}
	for k := range total {
		var n float64
		for _, arm := range arms.Names {
			if c := counts[arm][k]; !math.IsNaN(c) {
				n += c
			}
		}
		all += n
		for _, arm := range arms.Names {
			expected[arm] += n * weights[k][arm]
		}
	}
	var empty []string
	for _, arm := range arms.Names {
		ta := TrafficArm{Name: arm, PValue: 1}
		for _, c := range counts[arm] {
			if !math.IsNaN(c) {
				ta.Requests += c
			}
		}
		if all > 0 {
			ta.ObservedWeight = ta.Requests / all
			ta.ExpectedWeight = expected[arm] / all
		}
		if ta.Requests == 0 {
			empty = append(empty, fmt.Sprintf("%s (%s=%q)", arm, arms.Label, arms.Values[arm]))
		}
		res.Arms = append(res.Arms, ta)
	}
	if len(empty) > 0 {
		res.Reason = fmt.Sprintf("no requests from arm %s in %s between %s and %s", strings.Join(empty, ", "), res.Requests,
			grid.Start.Format(time.RFC3339), grid.End().Format(time.RFC3339))
		return
	}
	// Requests to an arm while its weight is 0 are a certain mismatch.
	for _, arm := range arms.Names {
		for k, n := range total {
			if !math.IsNaN(n) && weights[k][arm] == 0 && counts[arm][k] > 0 {
				res.Status, res.PValue = TrafficMismatch, 0
				res.Reason = fmt.Sprintf("arm %s received %g requests at %s while its planned weight was 0", arm, counts[arm][k], grid.WindowStart(k).Format(time.RFC3339))
				return
			}
		}
	}

	minP, tested := 1.0, 0
	var why string
	for i := range res.Arms {
		arm := res.Arms[i].Name
		observed, planned := make([]float64, grid.Steps), make([]float64, grid.Steps)
		for k, n := range total {
			observed[k], planned[k] = math.NaN(), math.NaN()
			if !math.IsNaN(n) && n > 0 {
				observed[k], planned[k] = counts[arm][k]/n, weights[k][arm]
			}
		}
		diffs := make([]float64, grid.Steps)
		for k := range diffs {
			diffs[k] = observed[k] - planned[k]
		}
		steps, lag1, ok := stats.PlanBatches(diffs, trafficMinSteps, stats.DefaultMinBatches)
		if !ok {
			why = fmt.Sprintf("%d steps of %s are too few to test the split (lag-1 autocorrelation of the share about %.2f)", grid.Steps, grid.Step, lag1)
			continue
		}
		var obsB, planB []float64
		for b := 0; b+steps <= grid.Steps; b += steps {
			var n, a, e float64
			for k := b; k < b+steps; k++ {
				if math.IsNaN(total[k]) {
					continue
				}
				n += total[k]
				a += counts[arm][k]
				e += total[k] * weights[k][arm]
			}
			if n > 0 {
				obsB, planB = append(obsB, a/n), append(planB, e/n)
			}
		}
		c, err := stats.CompareBatches(stats.BatchInput{Control: planB, Treatment: obsB, Lag1: lag1, StepsPerBatch: steps,
			Alpha: res.Threshold, Direction: stats.Increase})
		if err != nil || c.Verdict == stats.InsufficientData {
			why = c.Reason
			if err != nil {
				why = err.Error()
			}
			continue
		}
		tested++
		res.Arms[i].PValue = c.PValue
		res.Batches, res.StepsPerBatch = c.Batches, steps
		minP = math.Min(minP, c.PValue)
	}
	if tested == 0 {
		res.Reason = "cannot test the split: " + why
		return
	}
	res.PValue = math.Min(1, minP*float64(len(res.Arms)))
	res.Status = TrafficOK
	res.Reason = fmt.Sprintf("request shares match the planned weights (p = %.3g over %d batches of %d steps)", res.PValue, res.Batches, res.StepsPerBatch)
	if res.PValue < res.Threshold {
		res.Status = TrafficMismatch
		var parts []string
		for _, a := range res.Arms {
			parts = append(parts, fmt.Sprintf("%s %.2f%% (planned %.2f%%)", a.Name, 100*a.ObservedWeight, 100*a.ExpectedWeight))
		}
		res.Reason = fmt.Sprintf("request shares %s differ from the planned weights (p = %.3g < %.3g)", strings.Join(parts, ", "), res.PValue, res.Threshold)
	}
}
