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
