package stats

import (
	"math"
)

// PowerInput describes a planned two-sided comparison of each treatment arm
// with control, with equal units per arm.
type PowerInput struct {
	Kind     Kind    // KindProportion or KindMean
	Baseline float64 // control proportion (in (0,1)) or control mean
	SD       float64 // per-unit standard deviation (means only)
	MDE      float64 // minimum detectable effect: absolute, or a fraction of |Baseline| when Relative
	Relative bool
	Alpha    float64 // family-wise; each of Arms-1 comparisons is tested at Alpha/(Arms-1)
	Power    float64 // desired power of each comparison
	Arms     int     // arms including control; 0 means 2
}

// maxUnitsPerArm bounds the sample-size search: far beyond any real
// experiment, it keeps an impossible target from searching forever.
const maxUnitsPerArm = 1e15

// powerRootTol is the absolute tolerance of the power root searches, far
// below what any caller rounds to.
const powerRootTol = 1e-10

// SampleSize returns the units needed in each arm (not rounded; callers take
// the ceiling). It equals R's power.prop.test / power.t.test (two-sample,
// two-sided, strict = FALSE) at the per-comparison alpha.
func SampleSize(in PowerInput) (float64, error) {
	p, err := newPowerPlan(in, true, true)
	if err != nil {
		return 0, err
	}
	if in.Kind == KindProportion {
		// power.prop.test's power is Φ((√n|Δ| - z_{α/2}·A)/B), so n has a
		// closed form.
		a, b := p.propSpread(p.p2())
		root := (normalQuantile(1-p.alpha/2)*a + normalQuantile(in.Power)*b) / math.Abs(p.delta)
		if !(root > 0) {
			return 0, inputErrorf("Power", "%v is reached without any units; ask for more power", in.Power)
		}
		return root * root, nil
	}
	f := func(n float64) float64 { return p.meanPower(n, p.delta) - in.Power }
	lo, hi := 2.0, 1e7
	if f(lo) > 0 {
		// A huge effect: fewer than 2 units per arm suffice in theory (the
		// t test needs n > 1); search there like R's extendInt.
		lo, hi = 1+1e-6, 2
	}
	for f(hi) < 0 {
		if hi >= maxUnitsPerArm {
			return 0, inputErrorf("MDE", "%v needs more than %g units per arm", in.MDE, maxUnitsPerArm)
		}
		lo, hi = hi, hi*10
	}
	n, _ := zeroin(f, lo, hi, f(lo), f(hi), powerRootTol, 1000)
	return n, nil
}

// PowerAt returns the power of each comparison with nPerArm units per arm
// (in.Power is ignored).
func PowerAt(in PowerInput, nPerArm float64) (float64, error) {
	p, err := newPowerPlan(in, true, false)
	if err != nil {
		return 0, err
	}
	if err := validateUnits(in.Kind, nPerArm); err != nil {
		return 0, err
	}
	if in.Kind == KindProportion {
		return p.propPower(nPerArm, p.p2()), nil
	}
	return p.meanPower(nPerArm, p.delta), nil
}

// MDEAt returns the smallest effect detected with in.Power at nPerArm units
// per arm (in.MDE is ignored): absolute, or relative to |Baseline| when
// in.Relative. For proportions it is an increase, like power.prop.test
// solving for p2 > p1.
func MDEAt(in PowerInput, nPerArm float64) (float64, error) {
	p, err := newPowerPlan(in, false, true)
	if err != nil {
		return 0, err
	}
	if err := validateUnits(in.Kind, nPerArm); err != nil {
		return 0, err
	}
	var delta float64
	if in.Kind == KindProportion {
		f := func(p2 float64) float64 { return p.propPower(nPerArm, p2) - in.Power }
		fLo, fHi := f(in.Baseline), f(1)
		if fHi < 0 {
			return 0, inputErrorf("Power", "%v is not reached with %g units per arm by any proportion above the baseline %v", in.Power, nPerArm, in.Baseline)
		}
		p2, _ := zeroin(f, in.Baseline, 1, fLo, fHi, powerRootTol*1e-3, 1000)
		delta = p2 - in.Baseline
	} else {
		f := func(d float64) float64 { return p.meanPower(nPerArm, d) - in.Power }
		lo, hi := in.SD*1e-7, in.SD*1e7
		fLo, fHi := f(lo), f(hi)
		if fLo > 0 || fHi < 0 {
			return 0, inputErrorf("Power", "%v cannot be reached with %g units per arm by an effect between 1e-7 and 1e7 standard deviations", in.Power, nPerArm)
		}
		delta, _ = zeroin(f, lo, hi, fLo, fHi, powerRootTol*in.SD, 1000)
	}
	if in.Relative {
		return delta / math.Abs(in.Baseline), nil
	}
	return delta, nil
}

// powerPlan is a validated PowerInput.
type powerPlan struct {
	in    PowerInput
	alpha float64 // per comparison
	delta float64 // absolute effect
}

func newPowerPlan(in PowerInput, needMDE, needPower bool) (powerPlan, error) {
	arms := in.Arms
	if arms == 0 {
		arms = 2
	}
	switch {
	case in.Kind != KindProportion && in.Kind != KindMean:
		return powerPlan{}, inputErrorf("Kind", "power is computed for KindProportion or KindMean, got %d", in.Kind)
	case arms < 2:
		return powerPlan{}, inputErrorf("Arms", "must be at least 2 (control and one treatment), got %d", in.Arms)
	case !(in.Alpha > 0 && in.Alpha < 1):
		return powerPlan{}, inputErrorf("Alpha", "must be strictly between 0 and 1, got %v", in.Alpha)
	case !isFinite(in.Baseline):
		return powerPlan{}, inputErrorf("Baseline", "must be a finite number, got %v", in.Baseline)
	case in.Kind == KindProportion && !(in.Baseline > 0 && in.Baseline < 1):
		return powerPlan{}, inputErrorf("Baseline", "is a proportion and must be strictly between 0 and 1, got %v", in.Baseline)
	case in.Kind == KindMean && !(in.SD > 0 && isFinite(in.SD)):
		return powerPlan{}, inputErrorf("SD", "must be a finite standard deviation > 0, got %v", in.SD)
	case in.Relative && in.Baseline == 0:
		return powerPlan{}, inputErrorf("Baseline", "must not be 0 when the MDE is relative")
	}
	p := powerPlan{in: in, alpha: in.Alpha / float64(arms-1)}
	if needPower && !(in.Power > p.alpha && in.Power < 1) {
		return powerPlan{}, inputErrorf("Power", "must be above the per-comparison alpha (%v) and below 1, got %v", p.alpha, in.Power)
	}
	if needMDE {
		if !isFinite(in.MDE) || in.MDE == 0 {
			return powerPlan{}, inputErrorf("MDE", "must be a finite non-zero effect, got %v", in.MDE)
		}
		p.delta = in.MDE
		if in.Relative {
			p.delta = in.MDE * math.Abs(in.Baseline)
		}
		if in.Kind == KindProportion {
			if p2 := in.Baseline + p.delta; !(p2 > 0 && p2 < 1) {
				return powerPlan{}, inputErrorf("MDE", "moves the baseline %v to %v, outside (0, 1)", in.Baseline, p2)
			}
		}
	}
	return p, nil
}

func validateUnits(kind Kind, n float64) error {
	least := 0.0
	if kind == KindMean {
		least = 1 // the t test has n-1 > 0 degrees of freedom per arm
	}
	if !(n > least) || math.IsInf(n, 0) {
		return inputErrorf("nPerArm", "must be a finite number of units > %g, got %v", least, n)
	}
	return nil
}

func (p powerPlan) p2() float64 { return p.in.Baseline + p.delta }

// propSpread returns power.prop.test's A = sqrt((p1+p2)(1-(p1+p2)/2)) (the
// pooled null spread) and B = sqrt(p1q1 + p2q2).
func (p powerPlan) propSpread(p2 float64) (a, b float64) {
	p1 := p.in.Baseline
	return math.Sqrt((p1 + p2) * (1 - (p1+p2)/2)), math.Sqrt(p1*(1-p1) + p2*(1-p2))
}

// propPower is power.prop.test's two-sided power with strict = FALSE (the
// far tail is ignored).
func (p powerPlan) propPower(n, p2 float64) float64 {
	a, b := p.propSpread(p2)
	return normalCDF((math.Sqrt(n)*math.Abs(p.in.Baseline-p2) - normalQuantile(1-p.alpha/2)*a) / b)
}

// meanPower is power.t.test's two-sample two-sided power with strict = FALSE:
// P(T' > t_{ν,1-α/2}) for a noncentral t with ν = 2(n-1) and
// ncp = sqrt(n/2)·δ/sd.
func (p powerPlan) meanPower(n, delta float64) float64 {
	nu := 2 * math.Max(1e-7, n-1)
	ncp := math.Sqrt(n/2) * math.Abs(delta) / p.in.SD
	crit := tQuantileUpper(p.alpha/2, nu)
	if !isFinite(crit) { // vanishing df: no power at all
		return 0
	}
	return noncentralTUpper(crit, nu, ncp)
}
