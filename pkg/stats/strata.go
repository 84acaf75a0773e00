package stats

import "math"

// stratumEstimate is both arms' estimates in one stratum (rollout stage).
type stratumEstimate struct {
	control, treatment armEstimate
}

// estimateStrata estimates both arms in every usable stratum. A stratum where
// either arm has fewer than 2 units (or, for ratios, a zero denominator sum)
// has no variance estimate and is skipped; its index is returned in dropped
// and its units still count in ArmSummary.N.
func estimateStrata(in CompareInput, cov cupedCovariate) (strata []stratumEstimate, dropped []int) {
	for i := range in.Control {
		a, b := in.Control[i], in.Treatment[i]
		if a.N < 2 || b.N < 2 || (in.Kind == KindRatio && (a.SumD == 0 || b.SumD == 0)) {
			dropped = append(dropped, i)
			continue
		}
		strata = append(strata, stratumEstimate{
			control:   estimateArm(in.Kind, a, in.CUPED, cov),
			treatment: estimateArm(in.Kind, b, in.CUPED, cov),
		})
	}
	return strata, dropped
}

// difference is the combined treatment - control comparison over strata.
type difference struct {
	control, treatment armEstimate
	// variance is Var(treatment.mean - control.mean).
	variance float64
	// df is the Welch–Satterthwaite degrees of freedom generalised over
	// strata (0 when variance is 0).
	df float64
	// nullVariance is the variance of the difference under H0 with the
	// proportion pooled over arms in each stratum (prop.test's z); only
	// meaningful for uncorrected proportions.
	nullVariance float64
}

func (d difference) estimate() float64 { return d.treatment.mean - d.control.mean }

// combineStrata post-stratifies: each stratum gets the weight
// w_s = (units of both arms in s)/(units of both arms in all used strata), the
// same for both arms, so a ramp that moves traffic between stages while the
// metric drifts over time compares like with like and does not manufacture an
// effect. Arm mean = Σ w_s m_s, Var = Σ w_s² v_s. With one stratum w = 1 and
// everything reduces to the unstratified formulas.
func combineStrata(strata []stratumEstimate) difference {
	total := 0.0
	for _, s := range strata {
		total += s.control.n + s.treatment.n
	}
	var d difference
	// Satterthwaite: df = (Σ u_i)² / Σ u_i²/(n_i - 1) over every arm and
	// stratum, u_i = w² v. Scaling by the largest u avoids underflow.
	var terms []satterthwaiteTerm
	for _, s := range strata {
		w := (s.control.n + s.treatment.n) / total
		w2 := w * w
		for _, pair := range []struct{ dst, src *armEstimate }{{&d.control, &s.control}, {&d.treatment, &s.treatment}} {
			pair.dst.n += pair.src.n
			pair.dst.mean += w * pair.src.mean
			pair.dst.varMean += w2 * pair.src.varMean
			pair.dst.rawMean += w * pair.src.rawMean
			pair.dst.varRaw += w2 * pair.src.varRaw
			pair.dst.covAdjRaw += w2 * pair.src.covAdjRaw
			pair.dst.successes += pair.src.successes
			terms = append(terms, satterthwaiteTerm{u: w2 * pair.src.varMean, n: pair.src.n})
		}
		pooled := (s.control.successes + s.treatment.successes) / (s.control.n + s.treatment.n)
		d.nullVariance += w2 * pooled * (1 - pooled) * (1/s.control.n + 1/s.treatment.n)
	}
	d.variance = d.control.varMean + d.treatment.varMean
	d.df = satterthwaite(terms)
	return d
}

type satterthwaiteTerm struct{ u, n float64 }

// satterthwaite is (Σu)²/Σ(u²/(n-1)); with two terms it is Welch's df.
func satterthwaite(terms []satterthwaiteTerm) float64 {
	scale := 0.0
	for _, t := range terms {
		scale = math.Max(scale, t.u)
	}
	if scale == 0 {
		return 0
	}
	var num, den float64
	for _, t := range terms {
		u := t.u / scale
		num += u
		den += u * u / (t.n - 1)
	}
	return num * num / den
}
