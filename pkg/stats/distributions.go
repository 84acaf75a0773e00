package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// largeDF is the degrees of freedom above which Student t probabilities use
// the Cornish–Fisher expansion instead of gonum's incomplete beta function,
// whose relative error grows with df (about 1e-10 at 1e5, 1e-9 at 1e7 and
// 1e-7 at 1e9), while Welch df in a large experiment easily reach millions.
// Above 1e4 the expansion is accurate to about 1e-15.
const largeDF = 1e4

// normalQuantile is Φ⁻¹(p).
func normalQuantile(p float64) float64 { return distuv.UnitNormal.Quantile(p) }

// normalCDF is Φ(x).
func normalCDF(x float64) float64 { return distuv.UnitNormal.CDF(x) }

// twoSidedNormalP is 2·Φ(-|z|), computed in the lower tail so that small
// p-values keep their relative precision.
func twoSidedNormalP(z float64) float64 {
	return math.Min(1, 2*normalCDF(-math.Abs(z)))
}

// tQuantileUpper returns the upper-tail quantile t with P(T_df > t) = q for
// 0 < q < 0.5. df = +Inf gives the normal quantile.
func tQuantileUpper(q, df float64) float64 {
	z := -normalQuantile(q) // the lower tail keeps small q precise
	switch {
	case math.IsInf(df, 1):
		return z
	case df > largeDF:
		return cornishFisher(z, df)
	}
	return -distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(q)
}

// tLowerTail returns P(T_df ≤ x). df = +Inf gives the normal CDF. Use it with
// x ≤ 0 so that small tails keep their relative precision.
func tLowerTail(x, df float64) float64 {
	switch {
	case math.IsInf(df, 1):
		return normalCDF(x)
	case df > largeDF:
		return normalCDF(inverseCornishFisher(x, df))
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(x)
}

// twoSidedTP is the two-sided p-value 2·P(T_df ≥ |t|).
func twoSidedTP(t, df float64) float64 {
	return math.Min(1, 2*tLowerTail(-math.Abs(t), df))
}

// cornishFisher maps a standard normal quantile z to the t quantile with df
// degrees of freedom: z + g1/df + g2/df² + g3/df³ + g4/df⁴ (Abramowitz &
// Stegun 26.7.5).
func cornishFisher(z, df float64) float64 {
	z2 := z * z
	g1 := (z2 + 1) * z / 4
	g2 := ((5*z2+16)*z2 + 3) * z / 96
	g3 := (((3*z2+19)*z2+17)*z2 - 15) * z / 384
	g4 := ((((79*z2+776)*z2+1482)*z2-1920)*z2 - 945) * z / 92160
	return z + (g1+(g2+(g3+g4/df)/df)/df)/df
}

// inverseCornishFisher finds the z with cornishFisher(z, df) = x by Newton's
// method, so that P(T_df ≤ x) = Φ(z). The expansion is monotone and nearly the
// identity for large df, so a few steps from z = x converge.
func inverseCornishFisher(x, df float64) float64 {
	z := x
	for range 20 {
		z2 := z * z
		slope := 1 + (3*z2+1)/(4*df) + ((25*z2+48)*z2+3)/(96*df*df)
		step := (cornishFisher(z, df) - x) / slope
		z -= step
		if math.Abs(step) <= 1e-16*math.Max(1, math.Abs(z)) {
			break
		}
	}
	return z
}
