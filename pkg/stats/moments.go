package stats

import "math"

// armEstimate is one arm's estimate in one stratum (or, after combineStrata,
// over all strata).
type armEstimate struct {
	n       float64 // units
	mean    float64 // the arm's estimate: CUPED-adjusted when CUPED
	varMean float64 // Var(mean)
	// rawMean is the unadjusted mean, the denominator of the relative lift;
	// varRaw is its variance and covAdjRaw = Cov(mean, rawMean). Without
	// CUPED rawMean = mean and varRaw = covAdjRaw = varMean.
	rawMean   float64
	varRaw    float64
	covAdjRaw float64
	// successes is Σy for a proportion, used by the pooled null variance.
	successes float64
}

// sampleVariance is the n-1 sample variance from sums, clamped at 0 because
// one-pass sums can round a zero variance to a tiny negative number.
func sampleVariance(n, sum, sumSquares float64) float64 {
	return math.Max(0, sampleCovariance(n, sum, sum, sumSquares))
}

// sampleCovariance is the n-1 sample covariance from sums.
func sampleCovariance(n, sumA, sumB, sumAB float64) float64 {
	return (sumAB - sumA*(sumB/n)) / (n - 1)
}

// estimateArm computes one arm's estimate in one stratum; s.N >= 2 and, for
// ratios, s.SumD != 0. cov is the pooled CUPED covariate (used when cuped).
func estimateArm(kind Kind, s ArmSums, cuped bool, cov cupedCovariate) armEstimate {
	n := s.N
	switch {
	case cuped:
		return cupedArm(kind, s, cov)
	case kind == KindProportion:
		p := s.SumY / n
		v := p * (1 - p) / n // prop.test's unpooled variance: p(1-p), no n-1
		return armEstimate{n: n, mean: p, varMean: v, rawMean: p, varRaw: v, covAdjRaw: v, successes: s.SumY}
	case kind == KindRatio:
		return ratioArm(s)
	default:
		m := s.SumY / n
		v := sampleVariance(n, s.SumY, s.SumY2) / n
		return armEstimate{n: n, mean: m, varMean: v, rawMean: m, varRaw: v, covAdjRaw: v}
	}
}

// ratioArm is ΣY/ΣD with the per-unit delta-method variance of Deng, Knoblich
// and Lu (2018) (GrowthBook's RatioStatistic): the unit, not the event, is the
// independent observation.
func ratioArm(s ArmSums) armEstimate {
	n := s.N
	r := s.SumY / s.SumD
	meanD := s.SumD / n
	varY := sampleVariance(n, s.SumY, s.SumY2)
	varD := sampleVariance(n, s.SumD, s.SumD2)
	covYD := sampleCovariance(n, s.SumY, s.SumD, s.SumYD)
	perUnit := math.Max(0, (varY-2*r*covYD+r*r*varD)/(meanD*meanD))
	v := perUnit / n
	return armEstimate{n: n, mean: r, varMean: v, rawMean: r, varRaw: v, covAdjRaw: v}
}

// cupedArm is the regression-adjusted mean m_Y - θ(m_X - x̄) with variance
// (s_Y² + θ² s_X² - 2θ s_XY)/n, θ treated as fixed (Deng et al. 2013). A
// proportion is treated as a 0/1 mean here (Σy² = Σy), since the adjusted
// outcome is no longer binary.
func cupedArm(kind Kind, s ArmSums, cov cupedCovariate) armEstimate {
	n, theta := s.N, cov.theta
	sumY2 := s.SumY2
	if kind == KindProportion {
		sumY2 = s.SumY
	}
	mY, mX := s.SumY/n, s.SumX/n
	varY := sampleVariance(n, s.SumY, sumY2)
	varX := sampleVariance(n, s.SumX, s.SumX2)
	covXY := sampleCovariance(n, s.SumX, s.SumY, s.SumXY)
	varAdj := math.Max(0, varY+theta*theta*varX-2*theta*covXY)
	return armEstimate{
		n:         n,
		mean:      mY - theta*(mX-cov.meanX),
		varMean:   varAdj / n,
		rawMean:   mY,
		varRaw:    varY / n,
		covAdjRaw: (varY - theta*covXY) / n,
	}
}
