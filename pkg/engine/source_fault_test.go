package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// brokenSource fails the way a store can when it goes away mid-evaluation.
// It is a fake on purpose: a real store cannot be made to fail on cue.
type brokenSource struct{ failMetric bool }

func (b brokenSource) Name() string { return "broken-store" }
func (b brokenSource) Close() error { return nil }
func (b brokenSource) Exposures(ctx context.Context, s events.Scope) (events.ExposureCounts, error) {
	if b.failMetric {
		return events.ExposureCounts{Groups: []events.GroupCount{
			{GroupKey: events.GroupKey{Arm: "control"}, Units: 500},
			{GroupKey: events.GroupKey{Arm: "treatment"}, Units: 5},
		}}, nil
	}
	return events.ExposureCounts{}, errors.New("connection refused")
}
func (b brokenSource) MetricSums(ctx context.Context, s events.Scope, m events.Metric) ([]events.GroupSums, error) {
	return nil, context.DeadlineExceeded
}

func TestAnalyzeNamesTheFailingSource(t *testing.T) {
	p := mustPlan(t, decisionPlan)
	for _, src := range []brokenSource{{}, {failMetric: true}} {
		_, err := Analyze(context.Background(), p, src, Options{At: p.Start.Add(time.Hour)})
		var se *SourceError
		if !errors.As(err, &se) || se.Source != "broken-store" {
			t.Fatalf("want a SourceError naming broken-store, got %v", err)
		}
		if !strings.Contains(err.Error(), "broken-store") {
			t.Fatalf("error text does not name the source: %v", err)
		}
	}
	_, err := Analyze(context.Background(), p, brokenSource{failMetric: true}, Options{At: p.Start.Add(time.Hour)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the cause is lost: %v", err)
	}
}

func TestAnalyzeRejectsUnknownSegment(t *testing.T) {
	p := mustPlan(t, decisionPlan)
	_, err := Analyze(context.Background(), p, brokenSource{}, Options{Segment: "nope"})
	if err == nil || !strings.Contains(err.Error(), `segment "nope"`) {
		t.Fatalf("want an error naming the segment, got %v", err)
	}
}

// A plan evaluated before its start is on hold with every verdict withheld,
// and no source is asked (the broken source would fail if it were).
func TestAnalyzeBeforeStart(t *testing.T) {
	p := mustPlan(t, decisionPlan)
	res, err := Analyze(context.Background(), p, brokenSource{}, Options{At: p.Start.Add(-time.Hour)})
	if err != nil {
		t.Fatalf("a plan before its start must not fail: %v", err)
	}
	if res.Decision.Action != ActionHold || !strings.Contains(res.Decision.Reasons[0], "starts at 2026-11-01T00:00:00Z") {
		t.Fatalf("decision %+v, want hold until the start", res.Decision)
	}
	if len(res.Results) != 3 || len(res.Arms) != 2 || len(res.Stages) != 3 {
		t.Fatalf("want a well-formed result, got %d results, %d arms, %d stages", len(res.Results), len(res.Arms), len(res.Stages))
	}
	for _, r := range res.Results {
		if r.Verdict != "insufficient_data" {
			t.Fatalf("%s: verdict %s before the start", r.Metric, r.Verdict)
		}
	}
}
