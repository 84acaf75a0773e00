package stats

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"
)

// fuzzArm builds an arm from six fuzzed numbers; the last three serve as
// ratio denominator sums and as CUPED covariate sums.
func fuzzArm(n, sy, sy2, s3, s4, s5 float64) ArmSums {
	return ArmSums{N: n, SumY: sy, SumY2: sy2, SumD: s3, SumD2: s4, SumYD: s5, SumX: s3, SumX2: s4, SumXY: s5}
}

// FuzzCompare: Compare never panics; it returns an *InputError or a
// comparison with a valid verdict, no NaN anywhere, no infinity except a
// +Inf DF, p in [0, 1], ordered intervals, and a JSON encoding.
func FuzzCompare(f *testing.F) {
	f.Add(uint8(0), uint8(0), 0.05, 0.0, 0.0, false, 100.0, 1000.0, 10400.0, 0.0, 0.0, 0.0, 100.0, 1050.0, 11400.0, 0.0, 0.0, 0.0)
	f.Add(uint8(1), uint8(2), 0.05, 0.02, 10.0, true, 1000.0, 100.0, 100.0, 0.0, 0.0, 0.0, 1000.0, 130.0, 130.0, 0.0, 0.0, 0.0)
	f.Add(uint8(2), uint8(4), 0.1, 0.0, 0.0, false, 50.0, 120.0, 400.0, 150.0, 500.0, 380.0, 60.0, 160.0, 520.0, 170.0, 560.0, 480.0)
	f.Add(uint8(0), uint8(1), 0.05, 0.0, 0.0, true, 200.0, 2000.0, 21000.0, 900.0, 4500.0, 9500.0, 180.0, 1900.0, 21000.0, 800.0, 3900.0, 8800.0)
	f.Add(uint8(0), uint8(8), 0.01, 0.5, 0.0, false, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0)
	f.Add(uint8(1), uint8(0), 0.05, 0.0, 0.0, false, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 10.0, 10.0, 0.0, 0.0, 0.0)
	f.Add(uint8(0), uint8(0), 0.05, 0.0, 0.0, false, 3.0, 1e300, 1e300, 0.0, 0.0, 0.0, 3.0, -1e300, 1e300, 0.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, kind, flags uint8, alpha, margin, minUnits float64, twoStrata bool,
		an, ay, ay2, a3, a4, a5, bn, by, by2, b3, b4, b5 float64) {
		in := CompareInput{
			Kind:      Kind(kind % 4), // 3 is invalid on purpose
			CUPED:     flags&1 != 0,
			Alpha:     alpha,
			Direction: Direction(flags >> 1 & 1),
			MinUnits:  minUnits,
			Control:   []ArmSums{fuzzArm(an, ay, ay2, a3, a4, a5)},
			Treatment: []ArmSums{fuzzArm(bn, by, by2, b3, b4, b5)},
		}
		if flags&4 != 0 {
			in.Sequential = &Sequential{TuningN: math.Abs(margin) * 1000}
		}
		if flags&8 != 0 {
			in.Margin.Relative = margin
		} else {
			in.Margin.Absolute = margin
		}
		if twoStrata { // a second stage with the arms' sums swapped
			in.Control = append(in.Control, in.Treatment[0])
			in.Treatment = append(in.Treatment, in.Control[0])
		}
		c, err := Compare(in)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field == "" || ie.Message == "" {
				t.Fatalf("error %v is not a complete *InputError", err)
			}
			return
		}
		checkComparisonSane(t, c)
	})
}

func checkComparisonSane(t *testing.T, c Comparison) {
	t.Helper()
	if !slices.Contains(AllVerdicts(), c.Verdict) {
		t.Fatalf("invalid verdict %q", c.Verdict)
	}
	if c.Reason == "" {
		t.Fatalf("no reason for verdict %s", c.Verdict)
	}
	for name, v := range map[string]float64{
		"Control.N": c.Control.N, "Control.Mean": c.Control.Mean, "Control.SE": c.Control.SE,
		"Treatment.N": c.Treatment.N, "Treatment.Mean": c.Treatment.Mean, "Treatment.SE": c.Treatment.SE,
		"Absolute.Estimate": c.Absolute.Estimate, "Absolute.Lower": c.Absolute.Lower,
		"Absolute.Upper": c.Absolute.Upper, "Absolute.SE": c.Absolute.SE,
		"Relative.Estimate": c.Relative.Estimate, "Relative.Lower": c.Relative.Lower,
		"Relative.Upper": c.Relative.Upper, "Relative.SE": c.Relative.SE, "PValue": c.PValue,
	} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%s = %v in %+v", name, v, c)
		}
	}
	if math.IsNaN(c.DF) || math.IsInf(c.DF, -1) || c.DF < 0 {
		t.Fatalf("DF = %v", c.DF)
	}
	if c.PValue < 0 || c.PValue > 1 {
		t.Fatalf("PValue = %v", c.PValue)
	}
	if c.Absolute.Lower > c.Absolute.Upper || c.Relative.Lower > c.Relative.Upper {
		t.Fatalf("unordered interval in %+v", c)
	}
	if !c.RelativeDefined && c.Relative != (Interval{}) {
		t.Fatalf("undefined relative lift with values %+v", c.Relative)
	}
	if _, err := json.Marshal(c); err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
}

// FuzzSRM: SRM never panics and returns an *InputError or a finite χ², an
// integer df and a p-value in [0, 1].
func FuzzSRM(f *testing.F) {
	f.Add(500.0, 520.0, 0.0, 1.0, 1.0, 1.0, false, uint8(2))
	f.Add(100.0, 900.0, 3.0, 0.1, 0.9, 1.0, true, uint8(3))
	f.Add(0.0, 0.0, 0.0, 1.0, 1.0, 1.0, true, uint8(2))
	f.Add(1e308, 1e308, 1.0, 1e-300, 1.0, 1.0, false, uint8(2))
	f.Fuzz(func(t *testing.T, o1, o2, o3, w1, w2, w3 float64, twoStrata bool, arms uint8) {
		k := int(arms%3) + 1 // 1 arm is invalid on purpose
		obs, w := []float64{o1, o2, o3}[:k], []float64{w1, w2, w3}[:k]
		strata := []SRMStratum{{Observed: obs, Weights: w}}
		if twoStrata {
			strata = append(strata, SRMStratum{Observed: slices.Clone(w), Weights: slices.Clone(obs)})
		}
		res, err := SRM(strata)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			return
		}
		if !isFinite(res.ChiSquare) || res.ChiSquare < 0 || res.DF != math.Trunc(res.DF) || res.DF < 0 ||
			!(res.PValue >= 0 && res.PValue <= 1) {
			t.Fatalf("SRM(%v) = %+v", strata, res)
		}
	})
}

// FuzzMannWhitney: MannWhitney never panics and returns an *InputError or
// finite results with W in [0, nx·ny], p in [0, 1] and an ordered interval.
// Bytes become values on a coarse grid so that ties are common.
func FuzzMannWhitney(f *testing.F) {
	f.Add([]byte{10, 20, 30, 40}, []byte{1, 2, 3, 4}, 0.98, true)
	f.Add([]byte{5, 5, 5}, []byte{5, 5}, 0.95, false)
	f.Add([]byte{1}, []byte{2, 3, 4, 5, 6, 7, 8, 9}, 0.9, true)
	f.Add([]byte{}, []byte{1}, 0.95, true)
	f.Add([]byte{200, 3, 3, 3, 90}, []byte{3, 3, 4}, 0.0, false)
	f.Fuzz(func(t *testing.T, xb, yb []byte, conf float64, correct bool) {
		if len(xb) > 60 || len(yb) > 60 { // keep each case fast
			return
		}
		toValues := func(b []byte) []float64 {
			v := make([]float64, len(b))
			for i, c := range b {
				v[i] = float64(int8(c)) / 4
			}
			return v
		}
		x, y := toValues(xb), toValues(yb)
		res, err := MannWhitney(x, y, MannWhitneyOptions{ConfLevel: conf, Correct: correct})
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			return
		}
		for _, v := range []float64{res.W, res.PValue, res.Estimate, res.Lower, res.Upper} {
			if !isFinite(v) {
				t.Fatalf("non-finite result %+v", res)
			}
		}
		nxny := float64(len(x) * len(y))
		lo, hi := slices.Min(x)-slices.Max(y), slices.Max(x)-slices.Min(y)
		// The bounds are roots found to R's tolerance of 1e-4, so at very
		// low confidence levels they may cross by up to that much, as in R.
		rootSlack := 2*mwRootTol + 1e-15*math.Max(math.Abs(lo), math.Abs(hi))
		if res.W < 0 || res.W > nxny || res.PValue < 0 || res.PValue > 1 ||
			res.Lower > res.Upper+rootSlack || res.Lower < lo || res.Upper > hi || res.Estimate < lo || res.Estimate > hi {
			t.Fatalf("MannWhitney(%v, %v) = %+v", x, y, res)
		}
	})
}
