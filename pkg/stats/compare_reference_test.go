package stats

import (
	"math"
	"testing"
)

// compareCase is one case of testdata/compare.json.
type compareCase struct {
	Name       string    `json:"name"`
	Kind       string    `json:"kind"`
	CUPED      bool      `json:"cuped"`
	Alpha      float64   `json:"alpha"`
	Sequential bool      `json:"sequential"`
	TuningN    float64   `json:"tuning_n"`
	Control    []ArmSums `json:"control"`
	Treatment  []ArmSums `json:"treatment"`
	Expected   struct {
		Control         ArmSummary `json:"control"`
		Treatment       ArmSummary `json:"treatment"`
		Absolute        Interval   `json:"absolute"`
		Relative        Interval   `json:"relative"`
		RelativeDefined bool       `json:"relative_defined"`
		DF              *float64   `json:"df"` // null = +Inf
		PValue          float64    `json:"p_value"`
	} `json:"expected"`
}

func (c compareCase) input() CompareInput {
	kinds := map[string]Kind{"mean": KindMean, "proportion": KindProportion, "ratio": KindRatio}
	in := CompareInput{
		Kind: kinds[c.Kind], Control: c.Control, Treatment: c.Treatment,
		CUPED: c.CUPED, Alpha: c.Alpha,
	}
	if c.Sequential {
		in.Sequential = &Sequential{TuningN: c.TuningN}
	}
	return in
}

// TestCompareMatchesR checks every field of Compare against values R
// computed from the per-unit data behind the sums: t.test, prop.test,
// linearised ratio values, lm-residual CUPED, influence-value relative lifts,
// stratified raw means and the mSPRT form of the confidence sequence.
func TestCompareMatchesR(t *testing.T) {
	var cases []compareCase
	loadReference(t, "compare.json", &cases)
	if len(cases) < 70 {
		t.Fatalf("only %d reference cases", len(cases))
	}
	const rel, abs = 1e-9, 1e-12
	for _, rc := range cases {
		t.Run(rc.Name, func(t *testing.T) {
			got, err := Compare(rc.input())
			if err != nil {
				t.Fatalf("Compare: %v", err)
			}
			want := rc.Expected
			if got.Verdict == InsufficientData {
				t.Fatalf("verdict %s (%s) for a case R can analyse", got.Verdict, got.Reason)
			}
			checkNear(t, "Control.N", got.Control.N, want.Control.N, 0, 0)
			checkNear(t, "Treatment.N", got.Treatment.N, want.Treatment.N, 0, 0)
			checkNear(t, "Control.Mean", got.Control.Mean, want.Control.Mean, rel, abs)
			checkNear(t, "Control.SE", got.Control.SE, want.Control.SE, rel, abs)
			checkNear(t, "Treatment.Mean", got.Treatment.Mean, want.Treatment.Mean, rel, abs)
			checkNear(t, "Treatment.SE", got.Treatment.SE, want.Treatment.SE, rel, abs)
			checkInterval(t, "Absolute", got.Absolute, want.Absolute, rel, abs)
			wantDF := math.Inf(1)
			if want.DF != nil {
				wantDF = *want.DF
			}
			checkNear(t, "DF", got.DF, wantDF, rel, 0)
			checkNear(t, "PValue", got.PValue, want.PValue, rel, 1e-15)
			if got.RelativeDefined != want.RelativeDefined {
				t.Fatalf("RelativeDefined = %v, want %v", got.RelativeDefined, want.RelativeDefined)
			}
			if want.RelativeDefined {
				checkInterval(t, "Relative", got.Relative, want.Relative, rel, abs)
			}
		})
	}
}

func checkInterval(t *testing.T, what string, got, want Interval, rel, abs float64) {
	t.Helper()
	checkNear(t, what+".Estimate", got.Estimate, want.Estimate, rel, abs)
	checkNear(t, what+".Lower", got.Lower, want.Lower, rel, abs)
	checkNear(t, what+".Upper", got.Upper, want.Upper, rel, abs)
	checkNear(t, what+".SE", got.SE, want.SE, rel, abs)
}
