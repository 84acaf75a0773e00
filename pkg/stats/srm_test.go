package stats

import (
	"errors"
	"testing"
)

// TestSRMMatchesR checks SRM against chisq.test(x, p = w/sum(w)) (one
// stratum) and the sum of per-stratum chisq.test statistics and df with
// pchisq (several strata), including 3+ arms, an empty arm and an empty
// stratum.
func TestSRMMatchesR(t *testing.T) {
	var cases []struct {
		Name      string       `json:"name"`
		Strata    []SRMStratum `json:"strata"`
		ChiSquare float64      `json:"chi_square"`
		DF        float64      `json:"df"`
		PValue    float64      `json:"p_value"`
	}
	loadReference(t, "srm.json", &cases)
	if len(cases) < 20 {
		t.Fatalf("only %d reference cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, err := SRM(c.Strata)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "ChiSquare", got.ChiSquare, c.ChiSquare, 1e-9, 1e-12)
			checkNear(t, "DF", got.DF, c.DF, 0, 0)
			checkNear(t, "PValue", got.PValue, c.PValue, 1e-9, 1e-300)
		})
	}
}

func TestSRMInputErrors(t *testing.T) {
	tests := []struct {
		name   string
		strata []SRMStratum
		field  string
	}{
		{"no strata", nil, "strata"},
		{"one arm", []SRMStratum{{Observed: []float64{5}, Weights: []float64{1}}}, "strata[0].Observed"},
		{"length mismatch", []SRMStratum{{Observed: []float64{5, 5}, Weights: []float64{1}}}, "strata[0].Weights"},
		{"negative count", []SRMStratum{{Observed: []float64{5, 5}, Weights: []float64{1, 1}}, {Observed: []float64{-1, 5}, Weights: []float64{1, 1}}}, "strata[1].Observed[0]"},
		{"negative weight", []SRMStratum{{Observed: []float64{5, 5}, Weights: []float64{1, -0.5}}}, "strata[0].Weights[1]"},
		{"all weights zero", []SRMStratum{{Observed: []float64{5, 5}, Weights: []float64{0, 0}}}, "strata[0].Weights"},
		{"NaN weight", []SRMStratum{{Observed: []float64{5, 5}, Weights: []float64{nan(), 1}}}, "strata[0].Weights[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SRM(tt.strata)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want an *InputError for field %s", err, tt.field)
			}
		})
	}
}

// With no units anywhere there is no evidence of a mismatch.
func TestSRMNoUnits(t *testing.T) {
	got, err := SRM([]SRMStratum{{Observed: []float64{0, 0}, Weights: []float64{1, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if got != (SRMResult{PValue: 1}) {
		t.Fatalf("got %+v, want χ²=0, df=0, p=1", got)
	}
}

// An arm not launched yet (weight 0) with no units is no evidence either way
// and takes no degree of freedom: a canary stage {control: 1, treatment: 0}
// followed by a 50/50 stage is tested on the second stage alone.
func TestSRMZeroWeightArm(t *testing.T) {
	alone, err := SRM([]SRMStratum{{Observed: []float64{480, 520}, Weights: []float64{1, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := SRM([]SRMStratum{
		{Observed: []float64{300, 0}, Weights: []float64{1, 0}},
		{Observed: []float64{480, 520}, Weights: []float64{1, 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.DF != 1 || got.ChiSquare != alone.ChiSquare || got.PValue != alone.PValue {
		t.Fatalf("got %+v, want the second stage's test %+v", got, alone)
	}
	// R: chisq.test(c(480, 520)) gives X-squared = 1.6, p = 0.2059032.
	if d := got.PValue - 0.2059032; d > 1e-7 || d < -1e-7 {
		t.Fatalf("p = %v, want 0.2059032 (R)", got.PValue)
	}

	// A unit in an arm that was not launched is a certain mismatch.
	leak, err := SRM([]SRMStratum{{Observed: []float64{300, 2}, Weights: []float64{1, 0}}})
	if err != nil {
		t.Fatal(err)
	}
	if leak.PValue != 0 || leak.UnplannedUnits != 2 {
		t.Fatalf("got %+v, want p = 0 with 2 unplanned units", leak)
	}
}
