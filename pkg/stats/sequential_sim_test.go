package stats

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// simResult counts what happened over simulated experiments, each looked at
// after every batch of units.
type simResult struct {
	experiments     int
	seqAnyReject    int // the confidence sequence excluded 0 at some look
	naiveAnyReject  int // a fixed-horizon Welch test had p < alpha at some look
	seqAlwaysCovers int // the confidence sequence held the true effect at every look
	seqDetect       int // the sequence was beneficial at some look
	fixedFinal      int // the fixed-horizon test at the last look was beneficial
}

// outcome draws one unit's value; effect shifts the treatment arm.
type outcome struct {
	kind Kind
	draw func(rng *rand.Rand, effect float64) float64
}

var (
	// normalOutcome has mean 10 and sd 3.
	normalOutcome = outcome{KindMean, func(rng *rand.Rand, effect float64) float64 { return 10 + effect + 3*rng.NormFloat64() }}
	// rareConversion converts 5% of units (plus the effect).
	rareConversion = outcome{KindProportion, func(rng *rand.Rand, effect float64) float64 {
		if rng.Float64() < 0.05+effect {
			return 1
		}
		return 0
	}}
)

// simulate runs A/B experiments with a true treatment effect, adding batch
// units per arm before each of the looks. Each look compares the cumulative
// sufficient statistics, as the engine does.
func simulate(t *testing.T, seed uint64, o outcome, experiments, looks, batch int, effect, alpha float64) simResult {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	res := simResult{experiments: experiments}
	seq := &Sequential{} // default N*
	for range experiments {
		var control, treatment ArmSums
		seqRejected, naiveRejected, covered, detected := false, false, true, false
		for look := range looks {
			for range batch {
				y := o.draw(rng, 0)
				control = control.Add(ArmSums{N: 1, SumY: y, SumY2: y * y})
				y = o.draw(rng, effect)
				treatment = treatment.Add(ArmSums{N: 1, SumY: y, SumY2: y * y})
			}
			in := CompareInput{Kind: o.kind, Alpha: alpha, Control: []ArmSums{control}, Treatment: []ArmSums{treatment}}
			fixed, err := Compare(in)
			if err != nil {
				t.Fatal(err)
			}
			in.Sequential = seq
			always, err := Compare(in)
			if err != nil {
				t.Fatal(err)
			}
			if fixed.PValue < alpha {
				naiveRejected = true
			}
			if always.Absolute.Lower > 0 || always.Absolute.Upper < 0 {
				seqRejected = true
			}
			if always.Absolute.Lower > effect || always.Absolute.Upper < effect {
				covered = false
			}
			if always.Verdict == Beneficial {
				detected = true
			}
			if look == looks-1 && fixed.Verdict == Beneficial {
				res.fixedFinal++
			}
		}
		res.seqAnyReject += b2i(seqRejected)
		res.naiveAnyReject += b2i(naiveRejected)
		res.seqAlwaysCovers += b2i(covered)
		res.seqDetect += b2i(detected)
	}
	return res
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r simResult) rate(k int) float64 { return float64(k) / float64(r.experiments) }

// TestSequentialControlsPeeking simulates A/A experiments looked at 20 times
// (a normal metric and a rare conversion):
// the always-valid procedure keeps its false-positive rate at or below alpha
// (within Monte Carlo error) while stopping at the first significant
// fixed-horizon test does not. It also logs interval coverage and power at
// an effect that a fixed-horizon test detects 80% of the time at the end.
// LIFTGATE_LONG_SIM=1 runs 10,000 experiments per scenario (the numbers in
// docs/statistics.md).
func TestSequentialControlsPeeking(t *testing.T) {
	const (
		alpha = 0.05
		looks = 20
		batch = 100 // units per arm per look: 2,000 per arm at the end
	)
	experiments := 1000
	if os.Getenv("LIFTGATE_LONG_SIM") != "" {
		experiments = 10000
	}
	// Monte Carlo slack: three standard errors of a rate near alpha.
	slack := 3 * math.Sqrt(alpha*(1-alpha)/float64(experiments))

	aa := simulate(t, 1, normalOutcome, experiments, looks, batch, 0, alpha)
	seqFPR, naiveFPR := aa.rate(aa.seqAnyReject), aa.rate(aa.naiveAnyReject)
	t.Logf("A/A, %d experiments x %d looks: always-valid false-positive rate %.4f, naive repeated t-tests %.4f (alpha %.2f)",
		experiments, looks, seqFPR, naiveFPR, alpha)
	if seqFPR > alpha+slack {
		t.Errorf("always-valid false-positive rate %.4f exceeds alpha %.2f + %.4f", seqFPR, alpha, slack)
	}
	if naiveFPR < alpha+slack {
		t.Errorf("naive repeated testing gave %.4f, expected well above alpha: the simulation cannot show peeking", naiveFPR)
	}

	// Effect with 80% power for a fixed-horizon test at the last look:
	// δ = (z_{0.975} + z_{0.8})·σ·sqrt(2/n).
	n := float64(looks * batch)
	effect := (normalQuantile(1-alpha/2) + normalQuantile(0.8)) * 3 * math.Sqrt(2/n)
	ab := simulate(t, 2, normalOutcome, experiments, looks, batch, effect, alpha)
	coverage := ab.rate(ab.seqAlwaysCovers)
	t.Logf("effect %.4f: confidence sequence covered the true effect at all %d looks in %.4f of experiments; "+
		"detected (beneficial at any look) %.4f; fixed-horizon test at the last look %.4f",
		effect, looks, coverage, ab.rate(ab.seqDetect), ab.rate(ab.fixedFinal))
	if coverage < 1-alpha-slack {
		t.Errorf("simultaneous coverage %.4f below 1-alpha %.2f - %.4f", coverage, 1-alpha, slack)
	}
	if aa.rate(aa.seqAlwaysCovers) < 1-alpha-slack {
		t.Errorf("A/A simultaneous coverage %.4f below 1-alpha", aa.rate(aa.seqAlwaysCovers))
	}
	if p := ab.rate(ab.fixedFinal); math.Abs(p-0.8) > 3*math.Sqrt(0.8*0.2/float64(experiments)) {
		t.Errorf("fixed-horizon power %.4f, designed to be 0.80: the simulation is off", p)
	}

	// A rare 0/1 outcome (5%), where the asymptotic sequence leans hardest
	// on the central limit theorem: ~100 conversions per arm by the end.
	rare := simulate(t, 3, rareConversion, experiments, looks, batch, 0, alpha)
	seqFPR, naiveFPR = rare.rate(rare.seqAnyReject), rare.rate(rare.naiveAnyReject)
	t.Logf("A/A on a 5%% conversion rate: always-valid false-positive rate %.4f, naive repeated z-tests %.4f", seqFPR, naiveFPR)
	if seqFPR > alpha+slack {
		t.Errorf("always-valid false-positive rate on proportions %.4f exceeds alpha %.2f + %.4f", seqFPR, alpha, slack)
	}
	if naiveFPR < alpha+slack {
		t.Errorf("naive repeated testing on proportions gave %.4f, expected well above alpha", naiveFPR)
	}
}
