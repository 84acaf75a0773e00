package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Health statuses, from harmless to blocking.
const (
	HealthOK    = "ok"
	HealthWarn  = "warn"
	HealthBlock = "block"
)

// HealthResult is the data-health section of a result: what the checks
// found, and the window the verdicts rest on.
type HealthResult struct {
	// Status is the worst status of any check.
	Status string `json:"status"`
	// Watermark is the latest event time the event source holds (absent when
	// the source cannot tell or holds nothing).
	Watermark *time.Time `json:"watermark,omitempty"`
	// DataEnd is the instant events are counted up to (exclusive):
	// min(evaluation end, evaluation time - settling delay, watermark).
	DataEnd       time.Time     `json:"data_end"`
	SettlingDelay string        `json:"settling_delay"`
	ClockSkew     string        `json:"clock_skew"`
	LateData      string        `json:"late_data"`
	Checks        []HealthCheck `json:"checks"`
	// Notes say what was not checked and why.
	Notes []string `json:"notes,omitempty"`
}

// HealthCheck is one check's outcome against the plan's thresholds.
type HealthCheck struct {
	Name string `json:"name"`
	// Subject narrows the check: "purchase.amount" for a property, the
	// metric and arm for telemetry gaps.
	Subject  string                 `json:"subject,omitempty"`
	Status   string                 `json:"status"`
	Count    int64                  `json:"count"`
	Total    int64                  `json:"total"`
	Rate     float64                `json:"rate"`
	Warn     float64                `json:"warn"`
	Block    float64                `json:"block"`
	Examples []events.HealthExample `json:"examples,omitempty"`
	Message  string                 `json:"message"`
}

// Blocked reports whether any check blocks verdicts.
func (h *HealthResult) Blocked() bool { return h != nil && h.Status == HealthBlock }

// Reason is one line naming the blocking checks, for verdict reasons (the
// counts and examples are in the health section).
func (h *HealthResult) Reason() string {
	var names []string
	for _, c := range h.Checks {
		if c.Status == HealthBlock {
			name := c.Name
			if c.Subject != "" {
				name += " (" + c.Subject + ")"
			}
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return "data health blocks verdicts: " + strings.Join(names, ", ") + " above the block threshold"
}

// checkHealth runs the data-health checks of the plan against src (when
// it implements events.HealthChecker) and returns the section with the
// window end the event queries must use: the evaluation end, moved back by
// the settling delay and to just after the watermark, so verdicts rest only
// on data the source holds completely. A failing health query is a source
// error like any other: no verdict is better than one on unchecked data.
func checkHealth(ctx context.Context, p *plan.Plan, src events.Source, scope events.Scope, at time.Time, opts Options) (*HealthResult, error) {
	settings := p.HealthSettings()
	h := &HealthResult{
		Status:        HealthOK,
		SettlingDelay: plan.Duration(settings.SettlingDelay).String(),
		ClockSkew:     plan.Duration(settings.ClockSkew).String(),
		LateData:      settings.LateData,
		Checks:        []HealthCheck{},
	}
	end := earlier(scope.End, at.Add(-settings.SettlingDelay))
	pinned := !opts.DataEnd.IsZero()
	if pinned {
		end = earlier(scope.End, opts.DataEnd.UTC())
	}

	checker, ok := src.(events.HealthChecker)
	if !ok {
		h.Notes = append(h.Notes, fmt.Sprintf("source %s does not run data-health checks; only the settling delay applies", src.Name()))
	} else {
		req := healthRequest(p, at, settings.ClockSkew)
		report, err := traced(opts, src.Name(), "health", func() (events.HealthReport, error) { return checker.Health(ctx, scope, req) })
		switch {
		case errors.Is(err, events.ErrHealthUnsupported):
			h.Notes = append(h.Notes, fmt.Sprintf("source %s does not run data-health checks; only the settling delay applies", src.Name()))
		case err != nil:
			return nil, &SourceError{Source: src.Name(), Op: "health", Err: err}
		default:
			h.Checks = append(h.Checks, storeChecks(report, settings)...)
		}
		if err == nil && !report.DuplicatesChecked {
			h.Notes = append(h.Notes, fmt.Sprintf("duplicate ids not checked: source %s does not keep them (or has no id column); importers count them at ingest", src.Name()))
		}
		if err == nil && !report.Watermark.IsZero() {
			w := report.Watermark.UTC()
			h.Watermark = &w
			// Events at the watermark count: the end is exclusive.
			if !pinned && !w.Before(scope.Start) {
				end = earlier(end, w.Add(time.Microsecond))
			}
		}
	}
	h.Checks = append(h.Checks, telemetryGapChecks(ctx, p, scope, opts, settings)...)

	// Nothing settled yet (the experiment began less than the settling
	// delay ago): an empty window, which every verdict reports as too
	// little data.
	if !end.After(scope.Start) {
		end = scope.Start.Add(time.Microsecond)
		h.Notes = append(h.Notes, "no settled data yet: the window ends at the plan's start")
	}
	h.DataEnd = end
	for _, c := range h.Checks {
		h.Status = worse(h.Status, c.Status)
	}
	return h, nil
}

// healthRequest asks for the plan's metric events and numeric properties.
// Future events are judged against the later of the evaluation time and
// the wall clock, so a historical evaluation does not call later, genuine
// events future ones.
func healthRequest(p *plan.Plan, at time.Time, skew time.Duration) events.HealthRequest {
	req := events.HealthRequest{Now: at, ClockSkew: skew}
	if now := time.Now().UTC(); now.After(at) {
		req.Now = now
	}
	seenEvent := map[string]bool{}
	seenProp := map[events.EventValue]bool{}
	for _, m := range p.Metrics {
		if !isEventMetric(m) {
			continue
		}
		sm := storeMetric(m)
		for _, v := range []events.EventValue{sm.Value, sm.Numerator, sm.Denominator} {
			if v.Event != "" && !seenEvent[v.Event] {
				seenEvent[v.Event] = true
				req.Events = append(req.Events, v.Event)
			}
			if v.Event != "" && v.Property != "" && (m.Kind == plan.KindMean || m.Kind == plan.KindRatio) && !seenProp[v] {
				seenProp[v] = true
				req.Properties = append(req.Properties, v)
			}
		}
	}
	return req
}

// storeChecks judges a store's report against the thresholds.
func storeChecks(r events.HealthReport, s plan.HealthSettings) []HealthCheck {
	out := []HealthCheck{
		judge(plan.CheckUnknownArm, "", r.UnknownArm, r.Exposures, s, "exposures with an arm value the plan does not name"),
		judge(plan.CheckMissingUnit, "", r.MissingUnit, r.Exposures, s, "exposures without a unit"),
		judge(plan.CheckMissingArm, "", r.MissingArm, r.Exposures, s, "exposures without an arm value"),
		judge(plan.CheckMultiArm, "", r.MultiArmUnits, r.ExposedUnits, s, "exposed units seen in several arms"),
		judge(plan.CheckBeforeStart, "", r.BeforeStart, r.Exposures, s, "exposures stamped before the plan's start"),
		judge(plan.CheckFutureEvents, "", r.Future, r.Events, s, "events stamped after the evaluation time beyond the clock skew"),
	}
	if r.DuplicatesChecked {
		out = append(out, judge(plan.CheckDuplicates, "", r.Duplicates, r.Events, s, "surplus rows of event ids stored more than once"))
	}
	for _, ph := range r.Properties {
		subject := ph.Event + "." + ph.Property
		out = append(out,
			judge(plan.CheckProperties, subject, ph.Missing, ph.Events, s, subject+" events without the property"),
			judge(plan.CheckProperties, subject, ph.NonNumeric, ph.Events, s, subject+" events whose property is not a number"),
		)
	}
	return out
}

// judge rates a count against its population and the check's levels. A
// count without a population has rate 1 (it is all there is), never NaN.
func judge(name, subject string, c events.HealthCount, total int64, s plan.HealthSettings, what string) HealthCheck {
	levels := s.Levels[name]
	rate := 0.0
	switch {
	case total > 0:
		rate = float64(c.Count) / float64(total)
	case c.Count > 0:
		rate = 1
	}
	status := HealthOK
	switch {
	case c.Count > 0 && rate > levels.Block:
		status = HealthBlock
	case c.Count > 0 && rate > levels.Warn:
		status = HealthWarn
	}
	msg := fmt.Sprintf("%d of %d %s (%.3g%%; warn above %.3g%%, block above %.3g%%)", c.Count, total, what, 100*rate, 100*levels.Warn, 100*levels.Block)
	return HealthCheck{Name: name, Subject: subject, Status: status, Count: c.Count, Total: total, Rate: rate,
		Warn: levels.Warn, Block: levels.Block, Examples: c.Examples, Message: msg}
}

// telemetryGapChecks reads each prometheus metric per arm and rates its
// missing steps: an arm without a series is a gap of 100%. It runs only
// when a telemetry source is configured; a failing query is reported by the
// metric's own result, so here it is a note-free skip.
func telemetryGapChecks(ctx context.Context, p *plan.Plan, scope events.Scope, opts Options, s plan.HealthSettings) []HealthCheck {
	if opts.Telemetry == nil {
		return nil
	}
	var out []HealthCheck
	for i := range p.Metrics {
		m := &p.Metrics[i]
		if m.Kind != plan.KindPrometheus {
			continue
		}
		data, _, err := fetchMetric(ctx, p, m, telemetrySource(opts), p.Start, scope.End)
		if err != nil || data.Grid.Steps == 0 {
			continue
		}
		for _, arm := range p.ArmNames() {
			var missing int64
			for _, v := range data.Steps(arm) {
				if math.IsNaN(v) {
					missing++
				}
			}
			c := events.HealthCount{Count: missing}
			what := fmt.Sprintf("steps of %s without telemetry for arm %s", m.Name, arm)
			out = append(out, judge(plan.CheckTelemetryGaps, m.Name+"/"+arm, c, int64(data.Grid.Steps), s, what))
		}
	}
	return out
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func worse(a, b string) string {
	rank := map[string]int{HealthOK: 0, HealthWarn: 1, HealthBlock: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// withholdOnHealth turns every verdict into insufficient_data when a health
// check blocks.
func withholdOnHealth(h *HealthResult, results []MetricResult) {
	if !h.Blocked() {
		return
	}
	for i := range results {
		results[i].Verdict = stats.InsufficientData
		results[i].Reason = h.Reason()
	}
}

// holdOnHealth makes a blocking health check hold the stage: data the
// checks reject can justify neither a ramp nor a rollback.
func holdOnHealth(h *HealthResult, d Decision) Decision {
	if !h.Blocked() {
		return d
	}
	if d.Action == ActionProceed {
		d.Reasons = nil // "no harm detected" is not true of data the checks reject
	}
	d.Action = ActionHold
	var detail []string
	for _, c := range h.Checks {
		if c.Status == HealthBlock {
			detail = append(detail, "data health: "+c.Message)
		}
	}
	d.Reasons = append(detail, d.Reasons...)
	return d
}

// VerdictChange is a verdict of an already published window that changed
// when the same window was evaluated again: late data arrived (or data was
// removed). The exporter records and counts them; they are never silent.
type VerdictChange struct {
	Metric       string        `json:"metric"`
	Arm          string        `json:"arm"`
	SegmentValue *string       `json:"segment_value,omitempty"`
	DataEnd      time.Time     `json:"data_end"`
	Previous     stats.Verdict `json:"previous"`
	Current      stats.Verdict `json:"current"`
	// Policy is the plan's late-data policy: warn or block.
	Policy string `json:"policy"`
}

// CompareResults lists the verdicts that differ between two evaluations of
// the same window: the same plan (hash) and the same data end. Re-evaluate
// a published result with Options{At: previous.EvaluatedAt, DataEnd:
// previous.Health.DataEnd}. Results of different plans or windows are not
// comparable (a longer window is expected to change verdicts) and give nil.
func CompareResults(previous, current *Result) []VerdictChange {
	if previous == nil || current == nil || previous.Health == nil || current.Health == nil ||
		previous.PlanHash != current.PlanHash || previous.Experiment != current.Experiment ||
		!previous.Health.DataEnd.Equal(current.Health.DataEnd) {
		return nil
	}
	key := func(r MetricResult) string {
		seg := "\x00"
		if r.SegmentValue != nil {
			seg = *r.SegmentValue
		}
		return r.Metric + "\x00" + r.Arm + "\x00" + seg
	}
	before := map[string]stats.Verdict{}
	for _, r := range previous.Results {
		before[key(r)] = r.Verdict
	}
	var out []VerdictChange
	for _, r := range current.Results {
		v, ok := before[key(r)]
		if !ok || v == r.Verdict {
			continue
		}
		out = append(out, VerdictChange{Metric: r.Metric, Arm: r.Arm, SegmentValue: r.SegmentValue,
			DataEnd: current.Health.DataEnd, Previous: v, Current: r.Verdict, Policy: current.Health.LateData})
	}
	return out
}

// writeHealth renders the health section for WriteTable: the window, then
// every check that is not ok with its message and examples.
func writeHealth(b *strings.Builder, h *HealthResult) {
	if h == nil {
		return
	}
	fmt.Fprintf(b, "\nData health: %s   data up to %s", strings.ToUpper(h.Status), h.DataEnd.Format(time.RFC3339Nano))
	if h.Watermark != nil {
		fmt.Fprintf(b, "   watermark %s", h.Watermark.Format(time.RFC3339Nano))
	}
	fmt.Fprintf(b, "   settling delay %s, clock skew %s\n", h.SettlingDelay, h.ClockSkew)
	clean := 0
	for _, c := range h.Checks {
		if c.Status == HealthOK {
			clean++
			continue
		}
		fmt.Fprintf(b, "  %s %s: %s\n", strings.ToUpper(c.Status), c.Name, c.Message)
		for _, e := range c.Examples {
			fmt.Fprintf(b, "      e.g. %s\n", e)
		}
	}
	fmt.Fprintf(b, "  %d of %d checks ok\n", clean, len(h.Checks))
	for _, n := range h.Notes {
		fmt.Fprintf(b, "  note: %s\n", n)
	}
}
