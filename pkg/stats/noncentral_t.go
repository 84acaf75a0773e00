package stats

import (
	"math"

	"gonum.org/v1/gonum/integrate/quad"
)

// noncentralTUpper returns P(T > t) for T ~ noncentral t with nu degrees of
// freedom and noncentrality ncp (R's pt(t, nu, ncp, lower.tail = FALSE)),
// nu > 0.
//
// T = (Z + ncp)/S with S = sqrt(V/nu), V ~ χ²_nu, so
// P(T > t) = E[Φ(ncp - t·S)]. The expectation is integrated over u = ln S,
// whose density is proportional to exp(nu·(u - (e^{2u} - 1)/2)): smooth and
// unimodal at u = 0 for every nu, unlike the density of V or S near 0 for
// small nu. Composite Gauss–Legendre quadrature (gonum) over the window
// where the log density is within logWindow of its peak, normalised by the
// quadrature of the density itself, so no gamma-function constant is needed.
func noncentralTUpper(t, nu, ncp float64) float64 {
	const (
		logWindow = 60.0 // e^-60 ≈ 1e-26 of the peak density is ignored
		panels    = 32
		points    = 24
	)
	logDensity := func(u float64) float64 { return nu * (u - math.Expm1(2*u)/2) }
	lo := bisectDecreasing(func(u float64) float64 { return -logDensity(u) - logWindow }, -(logWindow/nu + 1), 0)
	hi := bisectDecreasing(func(u float64) float64 { return logDensity(u) + logWindow }, 0, math.Sqrt(logWindow/nu))

	x := make([]float64, points)
	w := make([]float64, points)
	var num, den float64
	width := (hi - lo) / panels
	for p := range panels {
		a := lo + float64(p)*width
		quad.Legendre{}.FixedLocations(x, w, a, a+width)
		for i, u := range x {
			g := w[i] * math.Exp(logDensity(u))
			num += g * normalCDF(ncp-t*math.Exp(u))
			den += g
		}
	}
	return num / den
}

// bisectDecreasing finds the zero of a function that is positive at a and
// negative at b (a < b), to float64 resolution; used only to place the
// integration window.
func bisectDecreasing(f func(float64) float64, a, b float64) float64 {
	for range 200 {
		m := (a + b) / 2
		if m == a || m == b {
			break
		}
		if f(m) > 0 {
			a = m
		} else {
			b = m
		}
	}
	return (a + b) / 2
}
