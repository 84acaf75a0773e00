package stats

import (
	"errors"
	"testing"
)

// powerCase is one case of testdata/power.json: R's power.prop.test or
// power.t.test (two-sided, strict = FALSE, tol = 1e-12) at alpha/(arms-1).
type powerCase struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Baseline float64 `json:"baseline"`
	SD       float64 `json:"sd"`
	MDE      float64 `json:"mde"`
	Relative bool    `json:"relative"`
	Alpha    float64 `json:"alpha"`
	Power    float64 `json:"power"`
	Arms     int     `json:"arms"`
	NAt      float64 `json:"n_at"`
	N        float64 `json:"n"`
	PowerAt  float64 `json:"power_at"`
	MDEAt    float64 `json:"mde_at"`
}

func (c powerCase) input() PowerInput {
	kind := KindMean
	if c.Kind == "proportion" {
		kind = KindProportion
	}
	return PowerInput{Kind: kind, Baseline: c.Baseline, SD: c.SD, MDE: c.MDE, Relative: c.Relative,
		Alpha: c.Alpha, Power: c.Power, Arms: c.Arms}
}

// TestPowerMatchesR checks SampleSize, PowerAt and MDEAt. R's roots were
// found with tol = 1e-12, and R's noncentral t is itself accurate to about
// 1e-11, hence 1e-8 relative for the t-based roots.
func TestPowerMatchesR(t *testing.T) {
	var cases []powerCase
	loadReference(t, "power.json", &cases)
	if len(cases) < 20 {
		t.Fatalf("only %d reference cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			in := c.input()
			n, err := SampleSize(in)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "SampleSize", n, c.N, 1e-8, 0)
			p, err := PowerAt(in, c.NAt)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "PowerAt", p, c.PowerAt, 1e-9, 1e-12)
			mde, err := MDEAt(in, c.NAt)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, "MDEAt", mde, c.MDEAt, 1e-8, 0)
		})
	}
}

func TestPowerInputErrors(t *testing.T) {
	good := PowerInput{Kind: KindProportion, Baseline: 0.1, MDE: 0.02, Alpha: 0.05, Power: 0.8}
	tests := []struct {
		name  string
		edit  func(*PowerInput)
		field string
	}{
		{"ratio kind", func(in *PowerInput) { in.Kind = KindRatio }, "Kind"},
		{"one arm", func(in *PowerInput) { in.Arms = 1 }, "Arms"},
		{"alpha 0", func(in *PowerInput) { in.Alpha = 0 }, "Alpha"},
		{"power 1", func(in *PowerInput) { in.Power = 1 }, "Power"},
		{"power below alpha", func(in *PowerInput) { in.Power = 0.01 }, "Power"},
		{"baseline 1", func(in *PowerInput) { in.Baseline = 1 }, "Baseline"},
		{"NaN baseline", func(in *PowerInput) { in.Baseline = nan() }, "Baseline"},
		{"zero MDE", func(in *PowerInput) { in.MDE = 0 }, "MDE"},
		{"MDE beyond 1", func(in *PowerInput) { in.MDE = 0.95 }, "MDE"},
		{"mean without SD", func(in *PowerInput) { in.Kind = KindMean }, "SD"},
		{"relative on zero baseline", func(in *PowerInput) { in.Kind, in.SD, in.Baseline, in.Relative = KindMean, 1, 0, true }, "Baseline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.edit(&in)
			_, err := SampleSize(in)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want an *InputError for field %s", err, tt.field)
			}
		})
	}
	for _, n := range []float64{0, -5, nan()} {
		if _, err := PowerAt(good, n); err == nil {
			t.Errorf("PowerAt(n=%v) gave no error", n)
		}
		if _, err := MDEAt(good, n); err == nil {
			t.Errorf("MDEAt(n=%v) gave no error", n)
		}
	}
}

// Power grows with n and reaches the requested power at SampleSize: a
// property check independent of R.
func TestPowerConsistency(t *testing.T) {
	for _, in := range []PowerInput{
		{Kind: KindProportion, Baseline: 0.2, MDE: 0.1, Relative: true, Alpha: 0.05, Power: 0.8},
		{Kind: KindMean, Baseline: 3, SD: 2, MDE: 0.15, Alpha: 0.05, Power: 0.9, Arms: 3},
	} {
		n, err := SampleSize(in)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := PowerAt(in, n)
		checkNear(t, "PowerAt(SampleSize)", p, in.Power, 1e-9, 0)
		below, _ := PowerAt(in, n*0.9)
		if below >= in.Power {
			t.Errorf("power at 0.9·n = %v, want below %v", below, in.Power)
		}
		mde, _ := MDEAt(in, n)
		checkNear(t, "MDEAt(SampleSize)", mde, in.MDE, 1e-7, 0)
	}
}
