package stats

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"testing"
)

// floatsFrom reads little-endian float64s from data (NaN and ±Inf included,
// as an adversary would send them).
func floatsFrom(data []byte) []float64 {
	out := make([]float64, 0, len(data)/8)
	for len(data) >= 8 {
		out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(data)))
		data = data[8:]
	}
	return out
}

func finiteOrFail(t *testing.T, what string, vs ...float64) {
	t.Helper()
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%s: non-finite value %v", what, v)
		}
	}
}

func validVerdict(v Verdict) bool {
	switch v {
	case Beneficial, Harmful, Inconclusive, InsufficientData:
		return true
	}
	return false
}

// FuzzTelemetryStats: the telemetry statistics never panic, fail only with
// an *InputError, and never put NaN or ±Inf into a result (DF aside).
func FuzzTelemetryStats(f *testing.F) {
	seed := func(vs ...float64) []byte {
		b := make([]byte, 8*len(vs))
		for i, v := range vs {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
		}
		return b
	}
	f.Add(seed(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), uint8(3), 0.3)
	f.Add(seed(0, 0, 0, 0, 0, 0, 1e308, -1e308, 5, 5), uint8(1), 0.99)
	f.Add(seed(math.NaN(), 1, 2, math.Inf(1), 3, 4), uint8(2), 0.0)
	f.Add(seed(1e-300, 2e-300, 3e-300, 1e300, 2e300, 3e300, 4, 5), uint8(7), 0.5)
	f.Fuzz(func(t *testing.T, data []byte, steps uint8, lag1 float64) {
		v := floatsFrom(data)
		if len(v) > 400 {
			v = v[:400] // the shift test is quadratic; long series add nothing here
		}
		half := len(v) / 2
		c, tr := v[:half], v[half:2*half]
		var ie *InputError

		bc, err := CompareBatches(BatchInput{Control: c, Treatment: tr, Lag1: lag1, StepsPerBatch: int(steps), Alpha: 0.05, Direction: Decrease, Sequential: &Sequential{}})
		if err != nil {
			if !errors.As(err, &ie) {
				t.Fatalf("CompareBatches error %T: %v", err, err)
			}
		} else {
			if !validVerdict(bc.Verdict) || !(bc.PValue >= 0 && bc.PValue <= 1) || bc.Absolute.Lower > bc.Absolute.Upper {
				t.Fatalf("CompareBatches: %+v", bc)
			}
			finiteOrFail(t, "CompareBatches", bc.Absolute.Estimate, bc.Absolute.Lower, bc.Absolute.Upper, bc.Relative.Lower, bc.Relative.Upper, bc.Control.Mean, bc.Treatment.Mean, bc.Inflation)
			if _, err := json.Marshal(bc); err != nil {
				t.Fatal(err)
			}
		}

		if len(c) >= 3 {
			for _, corr := range []func([]float64, []float64, float64) (Correlation, error){Pearson, Spearman} {
				r, err := corr(c, tr, 0.05)
				if err != nil {
					if !errors.As(err, &ie) {
						t.Fatalf("correlation error %T: %v", err, err)
					}
					continue
				}
				finiteOrFail(t, "correlation", r.R, r.PValue, r.Lower, r.Upper)
				if r.R < -1 || r.R > 1 || r.PValue < 0 || r.PValue > 1 || r.Lower > r.Upper {
					t.Fatalf("correlation %+v", r)
				}
			}
			ll, err := LeadLag(c, tr, int(steps)%len(c), 0.05)
			if err != nil {
				if !errors.As(err, &ie) {
					t.Fatalf("LeadLag error %T: %v", err, err)
				}
			} else {
				finiteOrFail(t, "LeadLag", ll.BonferroniP, ll.ShiftP, ll.Pearson.R, ll.Spearman.R)
			}
		}

		k, err := KayentaClassify(KayentaInput{Canary: tr, Baseline: c, Direction: Increase})
		if err != nil {
			if !errors.As(err, &ie) {
				t.Fatalf("Kayenta error %T: %v", err, err)
			}
		} else {
			finiteOrFail(t, "Kayenta", k.MeanRatio, k.MannWhitney.PValue, k.MannWhitney.Lower, k.MannWhitney.Upper, k.CanaryMean, k.BaselineMean)
			if !validVerdict(k.Verdict) {
				t.Fatalf("Kayenta verdict %q", k.Verdict)
			}
		}

		if len(v) > 0 {
			z, err := RobustZ(v[0], v[1:])
			if err != nil {
				if !errors.As(err, &ie) {
					t.Fatalf("RobustZ error %T: %v", err, err)
				}
			} else {
				finiteOrFail(t, "RobustZ", z.Z, z.Median, z.MAD, z.Scale)
			}
		}
		if phi, ok := Lag1Autocorrelation(v); ok && !(phi >= 0 && phi <= maxLag1) {
			t.Fatalf("Lag1Autocorrelation = %v", phi)
		}
		if s, ok := FindLevelShift(v); ok {
			finiteOrFail(t, "FindLevelShift", s.Before, s.After, s.Lag1, s.Statistic, s.Critical)
			if s.At < 0 || s.At >= len(v) || s.Count1 < minShiftSegment || s.Count2 < minShiftSegment || !(s.Lag1 >= 0 && s.Lag1 <= maxLag1) {
				t.Fatalf("FindLevelShift = %+v", s)
			}
		}
		if phi, _, ok := ShiftRobustLag1(v); ok && !(phi >= 0 && phi <= maxLag1) {
			t.Fatalf("ShiftRobustLag1 = %v", phi)
		}
	})
}
