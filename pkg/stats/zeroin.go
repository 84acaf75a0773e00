package stats

import "math"

// zeroin finds a root of f in [a, b] given fa = f(a) and fb = f(b) of opposite
// signs (or one of them zero), to within tol. It is Brent's (1973) zeroin
// algorithm in the exact form of R's R_zeroin2, which uniroot calls: the
// Mann–Whitney estimate and interval are roots of a step function, where
// different root finders stop at different points of a flat step, so matching
// R's answers needs R's iteration. ok is false when maxIter ran out.
func zeroin(f func(float64) float64, a, b, fa, fb, tol float64, maxIter int) (root float64, ok bool) {
	const eps = 2.220446049250313e-16 // DBL_EPSILON
	if fa == 0 {
		return a, true
	}
	if fb == 0 {
		return b, true
	}
	c, fc := a, fa
	for range maxIter + 1 {
		prevStep := b - a
		if math.Abs(fc) < math.Abs(fb) {
			// Swap so that b is the best approximation.
			a, b, c = b, c, b
			fa, fb, fc = fb, fc, fb
		}
		tolAct := 2*eps*math.Abs(b) + tol/2
		newStep := (c - b) / 2
		if math.Abs(newStep) <= tolAct || fb == 0 {
			return b, true
		}
		// Try interpolation if the previous step was large enough and in
		// the right direction.
		if math.Abs(prevStep) >= tolAct && math.Abs(fa) > math.Abs(fb) {
			var p, q float64
			cb := c - b
			if a == c { // two distinct points: linear interpolation
				t1 := fb / fa
				p = cb * t1
				q = 1 - t1
			} else { // inverse quadratic interpolation
				q = fa / fc
				t1 := fb / fc
				t2 := fb / fa
				p = t2 * (cb*q*(q-t1) - (b-a)*(t1-1))
				q = (q - 1) * (t1 - 1) * (t2 - 1)
			}
			if p > 0 {
				q = -q
			} else {
				p = -p
			}
			if p < 0.75*cb*q-math.Abs(tolAct*q)/2 && p < math.Abs(prevStep*q/2) {
				newStep = p / q
			}
		}
		if math.Abs(newStep) < tolAct {
			if newStep > 0 {
				newStep = tolAct
			} else {
				newStep = -tolAct
			}
		}
		a, fa = b, fb
		b += newStep
		fb = f(b)
		if (fb > 0 && fc > 0) || (fb < 0 && fc < 0) {
			c, fc = a, fa
		}
	}
	return b, false
}
