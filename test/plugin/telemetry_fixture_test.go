package plugin_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// The telemetry fixture of pkg/engine (written by its generate.py with
// SciPy): Prometheus series in OpenMetrics, and per-bucket product counts
// with the correlations, lags, verdicts and deployments expected from them.
const (
	telemetryPlanFile   = "testdata/telemetry-fixture.yaml"
	telemetryExperiment = "telemetry-fixture"
	fixtureDir          = repoRoot + "/pkg/engine/testdata/telemetry/"
)

type telFixture struct {
	Start         int64 `json:"start"`
	StepSeconds   int   `json:"step_seconds"`
	Steps         int   `json:"steps"`
	BucketSteps   int   `json:"bucket_steps"`
	CanarySteps   int   `json:"canary_steps"`
	MaxLagBuckets int   `json:"max_lag_buckets"`
	Product       map[string][]struct {
		Units       float64 `json:"units"`
		Conversions float64 `json:"conversions"`
	} `json:"product"`
	Verdicts  map[string]json.RawMessage `json:"verdicts"`
	Behaviour map[string]struct {
		Buckets int `json:"buckets"`
		Pearson struct {
			R, P, Lower, Upper float64
		} `json:"pearson"`
		Spearman       struct{ R, P float64 } `json:"spearman"`
		BestLagBuckets int                    `json:"best_lag_buckets"`
		BonferroniP    float64                `json:"bonferroni_p"`
		ShiftP         float64                `json:"shift_p"`
	} `json:"behaviour"`
	Deployments []int64 `json:"deployments"`
}

type telVerdict struct {
	Verdict  string  `json:"verdict"`
	Estimate float64 `json:"estimate"`
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
}

func loadTelFixture() (telFixture, error) {
	var fx telFixture
	raw, err := os.ReadFile(fixtureDir + "fixture.json")
	if err != nil {
		return fx, err
	}
	return fx, json.Unmarshal(raw, &fx)
}

func fixtureOpenMetrics() ([]byte, error) {
	f, err := os.Open(fixtureDir + "fixture.om.gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func (fx telFixture) start() time.Time { return time.Unix(fx.Start, 0).UTC() }
func (fx telFixture) bucket() time.Duration {
	return time.Duration(fx.BucketSteps*fx.StepSeconds) * time.Second
}
func (fx telFixture) end() time.Time {
	return fx.start().Add(time.Duration(fx.Steps*fx.StepSeconds) * time.Second)
}

// fixtureEvents turns the fixture's per-bucket counts into raw events: in
// bucket b of arm a, Units units are first exposed (spread over the
// bucket) and the first Conversions of them purchase a millisecond later.
// A store then gives back exactly the fixture's counts per exposure bucket.
// The purchases have their own event name, so the example experiment's
// metrics and data-health checks never see them.
func fixtureEvents(fx telFixture) []events.Event {
	var out []events.Event
	for _, arm := range []string{"control", "treatment"} {
		for b, row := range fx.Product[arm] {
			begin := fx.start().Add(time.Duration(b) * fx.bucket())
			n := int(row.Units)
			for i := 0; i < n; i++ {
				unit := fmt.Sprintf("t-%s-%03d-%04d", arm, b, i)
				at := begin.Add(fx.bucket() * time.Duration(i+1) / time.Duration(n+1)).Truncate(time.Millisecond)
				out = append(out, events.Event{
					ID: unit + "-x", Name: "exposure", Unit: unit, Time: at,
					Properties: map[string]any{"experiment": telemetryExperiment, "variant": arm},
				})
				if i < int(row.Conversions) {
					out = append(out, events.Event{ID: unit + "-p", Name: "fixture_purchase", Unit: unit, Time: at.Add(time.Millisecond), Properties: map[string]any{}})
				}
			}
		}
	}
	return out
}
