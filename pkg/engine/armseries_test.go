package engine

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Buckets pool their stages; conversion and mean divide by the units, a
// ratio by its denominator; a bucket without units has no value (not 0,
// not NaN).
func TestArmSeriesPoolsStagesPerBucket(t *testing.T) {
	p := mustPlan(t, decisionPlan)
	opts := SeriesOptions{From: cohortStart, At: cohortStart.Add(48 * time.Hour), Bucket: 6 * time.Hour}
	b0, b1 := cohortStart, cohortStart.Add(6*time.Hour)
	type point struct {
		arm     string
		bucket  time.Time
		value   float64
		defined bool
	}
	for metric, want := range map[string][]point{
		// control bucket 0: (30+10)/(300+200); treatment: (25+50)/(250+250).
		"conv": {{"control", b0, 40.0 / 500, true}, {"control", b1, 40.0 / 400, true}, {"treatment", b0, 75.0 / 500, true}, {"treatment", b1, 0, false}},
		// ratio: Σy / Σd.
		"errs": {{"control", b0, 40.0 / 1000, true}, {"control", b1, 40.0 / 800, true}, {"treatment", b0, 75.0 / 500, true}, {"treatment", b1, 0, false}},
	} {
		got, err := ArmSeries(context.Background(), p, cohortSource{}, metric, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d buckets, want %d: %+v", metric, len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			if g.Arm != w.arm || !g.Bucket.Equal(w.bucket) || g.Defined != w.defined || (w.defined && g.Value != w.value) {
				t.Errorf("%s bucket %d: %+v, want %+v", metric, i, g, w)
			}
		}
	}

	units, err := ExposureSeries(context.Background(), p, cohortSource{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 4 || units[0].Units != 500 || units[1].Units != 400 || units[2].Units != 500 || units[3].Units != 0 {
		t.Errorf("units per bucket: %+v", units)
	}

	late := opts
	late.From = b1
	got, _ := ArmSeries(context.Background(), p, cohortSource{}, "conv", late)
	for _, b := range got {
		if b.Bucket.Before(b1) {
			t.Errorf("bucket %s before From %s", b.Bucket, b1)
		}
	}
}

func TestArmSeriesRefusals(t *testing.T) {
	p := mustPlan(t, decisionPlan)
	opts := SeriesOptions{At: cohortStart.Add(time.Hour), Bucket: time.Hour}
	for _, tc := range []struct {
		metric string
		opts   SeriesOptions
		want   string
	}{
		{"nope", opts, `metric "nope" is not in plan gate-test`},
		{"conv", SeriesOptions{At: opts.At}, "bucket must be positive"},
		{"conv", SeriesOptions{At: opts.At, Bucket: time.Hour, Segment: "country"}, `segment "country" is not one of`},
	} {
		if _, err := ArmSeries(context.Background(), p, cohortSource{}, tc.metric, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: %v, want %q", tc.metric, tc.opts, err, tc.want)
		}
	}
}
