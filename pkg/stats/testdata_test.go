package stats

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// loadReference reads a JSON file written by scripts/stats/generate_reference.R
// (or .py) from testdata.
func loadReference(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading reference values (regenerate with Rscript scripts/stats/generate_reference.R): %v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
}

// near reports whether got agrees with want to a relative tolerance rel, or
// within abs for values near zero.
func near(got, want, rel, abs float64) bool {
	if math.IsInf(want, 0) || math.IsInf(got, 0) {
		return got == want
	}
	return math.Abs(got-want) <= rel*math.Max(math.Abs(got), math.Abs(want))+abs
}

// checkNear fails the test when got and want disagree.
func checkNear(t *testing.T, what string, got, want, rel, abs float64) {
	t.Helper()
	if math.IsNaN(got) || !near(got, want, rel, abs) {
		t.Errorf("%s = %.17g, want %.17g (R/SciPy; rel tol %g, abs tol %g)", what, got, want, rel, abs)
	}
}

func nan() float64 { return math.NaN() }
