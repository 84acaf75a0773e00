package stats

import (
	"fmt"
	"math"
)

// validateCompareInput rejects input no comparison can be made from, naming
// the field and what was expected.
func validateCompareInput(in CompareInput) error {
	switch in.Kind {
	case KindMean, KindProportion, KindRatio:
	default:
		return inputErrorf("Kind", "must be KindMean, KindProportion or KindRatio, got %d", in.Kind)
	}
	if in.Direction != Increase && in.Direction != Decrease {
		return inputErrorf("Direction", "must be Increase or Decrease, got %d", in.Direction)
	}
	if !(in.Alpha > 0 && in.Alpha < 1) {
		return inputErrorf("Alpha", "must be strictly between 0 and 1, got %v", in.Alpha)
	}
	if err := validateMargin(in.Margin); err != nil {
		return err
	}
	if !(in.MinUnits >= 0) || math.IsInf(in.MinUnits, 0) {
		return inputErrorf("MinUnits", "must be a finite number >= 0, got %v", in.MinUnits)
	}
	if in.Sequential != nil && (!(in.Sequential.TuningN >= 0) || math.IsInf(in.Sequential.TuningN, 0)) {
		return inputErrorf("Sequential.TuningN", "must be a finite number >= 0 (0 means %d), got %v", DefaultTuningN, in.Sequential.TuningN)
	}
	if in.CUPED && in.Kind == KindRatio {
		return inputErrorf("CUPED", "is not supported for ratio metrics; analyse the ratio without CUPED")
	}
	if len(in.Control) == 0 {
		return inputErrorf("Control", "needs at least one stratum")
	}
	if len(in.Control) != len(in.Treatment) {
		return inputErrorf("Treatment", "has %d strata but Control has %d; they must match one to one", len(in.Treatment), len(in.Control))
	}
	for i := range in.Control {
		if err := validateArmSums(fmt.Sprintf("Control[%d]", i), in.Kind, in.Control[i]); err != nil {
			return err
		}
		if err := validateArmSums(fmt.Sprintf("Treatment[%d]", i), in.Kind, in.Treatment[i]); err != nil {
			return err
		}
	}
	return nil
}

// validateMargin checks that at most one margin is set and that it is a
// finite non-negative number.
func validateMargin(m Margin) error {
	if !(m.Relative >= 0) || math.IsInf(m.Relative, 0) {
		return inputErrorf("Margin.Relative", "must be a finite number >= 0, got %v", m.Relative)
	}
	if !(m.Absolute >= 0) || math.IsInf(m.Absolute, 0) {
		return inputErrorf("Margin.Absolute", "must be a finite number >= 0, got %v", m.Absolute)
	}
	if m.Relative != 0 && m.Absolute != 0 {
		return inputErrorf("Margin", "set either Relative or Absolute, not both")
	}
	return nil
}

// validateArmSums checks one arm's sums for one stratum.
func validateArmSums(field string, kind Kind, s ArmSums) error {
	named := []struct {
		name string
		v    float64
	}{
		{"N", s.N}, {"SumY", s.SumY}, {"SumY2", s.SumY2},
		{"SumD", s.SumD}, {"SumD2", s.SumD2}, {"SumYD", s.SumYD},
		{"SumX", s.SumX}, {"SumX2", s.SumX2}, {"SumXY", s.SumXY},
	}
	for _, f := range named {
		if !isFinite(f.v) {
			return inputErrorf(field+"."+f.name, "must be a finite number, got %v", f.v)
		}
	}
	if s.N < 0 {
		return inputErrorf(field+".N", "must be >= 0, got %v", s.N)
	}
	if s.N == 0 {
		for _, f := range named[1:] {
			if f.v != 0 {
				return inputErrorf(field+"."+f.name, "must be 0 when N is 0, got %v", f.v)
			}
		}
		return nil
	}
	if kind == KindProportion {
		if s.SumY < 0 || s.SumY > s.N {
			return inputErrorf(field+".SumY", "is the count of converted units and must be between 0 and N (%v), got %v", s.N, s.SumY)
		}
	} else if err := squaresConsistent(field+".SumY2", s.N, s.SumY, s.SumY2); err != nil {
		return err
	}
	if kind == KindRatio {
		if err := squaresConsistent(field+".SumD2", s.N, s.SumD, s.SumD2); err != nil {
			return err
		}
	}
	return squaresConsistent(field+".SumX2", s.N, s.SumX, s.SumX2)
}

// squaresConsistent checks Σv² >= (Σv)²/n (a non-negative variance), allowing
// for rounding in sums accumulated by a database.
func squaresConsistent(field string, n, sum, sumSquares float64) error {
	if sumSquares < 0 {
		return inputErrorf(field, "is a sum of squares and must be >= 0, got %v", sumSquares)
	}
	if sumSquares*n < sum*sum*(1-1e-9) {
		return inputErrorf(field, "is %v, less than (sum)²/N = %v: the sums cannot come from real data", sumSquares, sum*sum/n)
	}
	return nil
}
