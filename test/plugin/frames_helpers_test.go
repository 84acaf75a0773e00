package plugin_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
)

// updateGolden rewrites the golden files instead of comparing with them.
var updateGolden = os.Getenv("LIFTGATE_UPDATE_GOLDEN") != ""

// examplePlan is the plan file the exporter serves.
func examplePlan(t testing.TB) *plan.Plan {
	t.Helper()
	p, err := plan.Load(planFile)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// analyzeLocally is `liftgate analyze --at AT [--segment S]` on the same
// events, in this process.
func analyzeLocally(t testing.TB, at time.Time, segment string) *engine.Result {
	t.Helper()
	res, err := engine.Analyze(context.Background(), examplePlan(t), suite.local, engine.Options{At: at, Segment: segment})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// response returns the response for refID, failing on a query error.
func response(t testing.TB, resp *backend.QueryDataResponse, refID string) backend.DataResponse {
	t.Helper()
	dr, ok := resp.Responses[refID]
	if !ok {
		t.Fatalf("no response for refId %s", refID)
	}
	if dr.Error != nil {
		t.Fatalf("refId %s failed: %v (status %d, source %q)", refID, dr.Error, dr.Status, dr.ErrorSource)
	}
	return dr
}

// frameNamed finds a frame by name.
func frameNamed(t testing.TB, frames data.Frames, name string) *data.Frame {
	t.Helper()
	for _, f := range frames {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no frame named %q among %d frames", name, len(frames))
	return nil
}

// column returns a field by name.
func column(t testing.TB, f *data.Frame, name string) *data.Field {
	t.Helper()
	field, _ := f.FieldByName(name)
	if field == nil {
		t.Fatalf("frame %q has no field %q", f.Name, name)
	}
	return field
}

// float reads a nullable or plain float cell; null is NaN.
func float(t testing.TB, field *data.Field, i int) float64 {
	t.Helper()
	switch v := field.At(i).(type) {
	case float64:
		return v
	case *float64:
		if v == nil {
			return math.NaN()
		}
		return *v
	}
	t.Fatalf("field %s row %d is %T, not a float", field.Name, i, field.At(i))
	return 0
}

// sameNumber compares within 1e-9 relative, NaN equal to NaN. The plugin
// reads the same sufficient statistics through the exporter, but DuckDB's
// parallel aggregation may add the per-unit values in another order in
// another process, so sums can differ in the last bits.
func sameNumber(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// loopbackAddr hides the exporter's and Prometheus's random ports in
// executed-query strings, so golden files do not change from run to run.
var loopbackAddr = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// checkGolden compares a response with testdata/golden/NAME.jsonc: the
// frames' shape, types, names, labels, units, metadata and values. Values
// are rounded to 9 significant digits first (see sameNumber); the tests
// compare the exact numbers with the engine's themselves.
func checkGolden(t *testing.T, name string, dr backend.DataResponse) {
	t.Helper()
	for _, f := range dr.Frames {
		if f.Meta != nil {
			f.Meta.ExecutedQueryString = loopbackAddr.ReplaceAllString(f.Meta.ExecutedQueryString, "127.0.0.1:PORT")
		}
		for _, field := range f.Fields {
			for i := 0; i < field.Len(); i++ {
				switch v := field.At(i).(type) {
				case float64:
					field.Set(i, round9(v))
				case *float64:
					if v != nil {
						r := round9(*v)
						field.Set(i, &r)
					}
				}
			}
		}
	}
	experimental.CheckGoldenJSONResponse(t, filepath.Join("testdata", "golden"), name, &dr, updateGolden)
}

// round9 keeps 9 significant digits.
func round9(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 9, 64), 64)
	return r
}
