package stats

import (
	"errors"
	"testing"
)

// TestMannWhitneyMatchesR checks MannWhitney against wilcox.test(x, y,
// conf.int = TRUE, exact = FALSE, correct, conf.level): W and the p-value
// are closed forms (1e-9). The estimate and interval are roots that R finds
// with tolerance 1e-4 on a step function, so any root finder other than R's
// own could stop elsewhere on a flat step; MannWhitney ports R's zeroin and
// reproduces R's iterates, so they agree far more closely than 1e-4.
func TestMannWhitneyMatchesR(t *testing.T) {
	var cases []struct {
		Name      string    `json:"name"`
		X         []float64 `json:"x"`
		Y         []float64 `json:"y"`
		ConfLevel float64   `json:"conf_level"`
		Correct   bool      `json:"correct"`
		W         float64   `json:"w"`
		PValue    float64   `json:"p_value"`
		Estimate  float64   `json:"estimate"`
		Lower     float64   `json:"lower"`
		Upper     float64   `json:"upper"`
	}
	loadReference(t, "mannwhitney.json", &cases)
	if len(cases) < 20 {
		t.Fatalf("only %d reference cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, err := MannWhitney(c.X, c.Y, MannWhitneyOptions{ConfLevel: c.ConfLevel, Correct: c.Correct})
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "W", got.W, c.W, 1e-12, 0)
			checkNear(t, "PValue", got.PValue, c.PValue, 1e-9, 1e-300)
			const rootTol = 1e-8 // same iterates as R; R's own precision is 1e-4
			checkNear(t, "Estimate", got.Estimate, c.Estimate, 1e-12, rootTol)
			checkNear(t, "Lower", got.Lower, c.Lower, 1e-12, rootTol)
			checkNear(t, "Upper", got.Upper, c.Upper, 1e-12, rootTol)
		})
	}
}

// Kayenta's MannWhitneySuite example, which Kayenta checked against R:
// 10,20,30,40 vs 1,2,3,4 at 98% gives the interval [6, 39] and estimate 22.5.
func TestMannWhitneyKayentaExample(t *testing.T) {
	got, err := MannWhitney([]float64{10, 20, 30, 40}, []float64{1, 2, 3, 4}, MannWhitneyOptions{ConfLevel: 0.98, Correct: true})
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "Lower", got.Lower, 6, 0, 1e-3)
	checkNear(t, "Upper", got.Upper, 39, 0, 1e-3)
	checkNear(t, "Estimate", got.Estimate, 22.5, 0, 1e-3)
}

// Constant samples, where R stops with an error: the shift is known exactly.
func TestMannWhitneyConstantSamples(t *testing.T) {
	got, err := MannWhitney([]float64{5, 5, 5}, []float64{3, 3}, MannWhitneyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Estimate != 2 || got.Lower != 2 || got.Upper != 2 {
		t.Fatalf("got %+v, want estimate and bounds 2", got)
	}
	if got.W != 6 { // every x outranks every y: W = nx·ny
		t.Fatalf("W = %v, want 6", got.W)
	}
	allTied, err := MannWhitney([]float64{1, 1}, []float64{1, 1, 1}, MannWhitneyOptions{Correct: true})
	if err != nil {
		t.Fatal(err)
	}
	if allTied.PValue != 1 || allTied.Estimate != 0 || allTied.W != 3 {
		t.Fatalf("all tied: got %+v, want p=1, estimate 0, W=3", allTied)
	}
}

func TestMannWhitneyInputErrors(t *testing.T) {
	tests := []struct {
		name  string
		x, y  []float64
		conf  float64
		field string
	}{
		{"empty x", nil, []float64{1}, 0, "x"},
		{"empty y", []float64{1}, nil, 0, "y"},
		{"NaN", []float64{1, nan()}, []float64{1}, 0, "x[1]"},
		{"conf level 1", []float64{1, 2}, []float64{1}, 1, "ConfLevel"},
		{"negative conf level", []float64{1, 2}, []float64{1}, -0.5, "ConfLevel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MannWhitney(tt.x, tt.y, MannWhitneyOptions{ConfLevel: tt.conf})
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want an *InputError for field %s", err, tt.field)
			}
		})
	}
}
