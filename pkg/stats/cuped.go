package stats

// cupedCovariate is the pooled CUPED slope θ = cov(Y,X)/var(X) and the pooled
// covariate mean x̄, over both arms and all strata (Deng et al. 2013, eq. 4;
// GrowthBook compute_theta). Pooling keeps θ identical for both arms, so the
// adjustment cannot itself create a difference; θ equals the slope of R's
// lm(y ~ x) on all units.
type cupedCovariate struct {
	theta, meanX float64
}

// pooledCovariate computes the pooled covariate. A covariate without variance
// (or sums that give no finite slope) falls back to θ = 0, the unadjusted
// analysis, as GrowthBook does.
func pooledCovariate(control, treatment []ArmSums) cupedCovariate {
	var total ArmSums
	for i := range control {
		total = total.Add(control[i]).Add(treatment[i])
	}
	if total.N < 2 {
		return cupedCovariate{}
	}
	varX := sampleVariance(total.N, total.SumX, total.SumX2)
	theta := sampleCovariance(total.N, total.SumX, total.SumY, total.SumXY) / varX
	if varX <= 0 || !isFinite(theta) {
		theta = 0
	}
	return cupedCovariate{theta: theta, meanX: total.SumX / total.N}
}
