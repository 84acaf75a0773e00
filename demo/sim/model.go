package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// The behaviour model. The numbers are plausible for an e-commerce checkout
// rather than fitted to anything; what matters for the demo is that every
// effect has the right shape: segments differ, revenue is heavy-tailed, and
// users buy less when checkout is slow or fails.

// segment is what a user's first exposure says about them.
type segment struct {
	platform string
	country  string
}

type weighted[T any] struct {
	value  T
	weight float64
}

var platforms = []weighted[string]{{"web", 0.55}, {"ios", 0.30}, {"android", 0.15}}
var countries = []weighted[string]{{"US", 0.40}, {"DE", 0.15}, {"BR", 0.15}, {"IN", 0.20}, {"JP", 0.10}}

// Per-segment behaviour: purchase propensity and the checkout's median
// latency (apps talk to the backend over mobile networks).
var (
	baseConversion = map[string]float64{"web": 0.11, "ios": 0.13, "android": 0.08}
	countryFactor  = map[string]float64{"US": 1.10, "DE": 1.00, "BR": 0.85, "IN": 0.75, "JP": 1.05}
	medianLatency  = map[string]float64{"web": 0.18, "ios": 0.22, "android": 0.28} // seconds
)

const (
	latencySpread = 0.45 // sigma of the log-normal request latency
	baseErrorRate = 0.01 // share of checkout requests that fail with a 5xx
	// latencySensitivity: each second of mean latency above 250 ms lowers
	// the purchase probability by this factor's exponent (exp(-k·excess)).
	latencySensitivity = 0.9
	// failurePenalty multiplies the purchase probability of a user who saw
	// a failed checkout request.
	failurePenalty = 0.55
)

func pick[T any](r *rand.Rand, choices []weighted[T]) T {
	u := r.Float64()
	for _, c := range choices {
		if u < c.weight {
			return c.value
		}
		u -= c.weight
	}
	return choices[len(choices)-1].value
}

func drawSegment(r *rand.Rand) segment {
	return segment{platform: pick(r, platforms), country: pick(r, countries)}
}

// treatmentState is how the backend treats one arm at one instant.
type treatmentState struct {
	latencyFactor    float64
	errorRate        float64
	conversionFactor float64
}

var healthy = treatmentState{latencyFactor: 1, errorRate: baseErrorRate, conversionFactor: 1}

// request is one checkout API call as the service saw it.
type request struct {
	latency float64 // seconds
	failed  bool
}

// session draws the checkout requests of one session: a couple of calls
// (cart, shipping, payment) plus a few more for users who browse longer.
func session(r *rand.Rand, seg segment, st treatmentState) []request {
	n := 2 + poisson(r, 2.5)
	reqs := make([]request, n)
	for i := range reqs {
		lat := medianLatency[seg.platform] * st.latencyFactor * math.Exp(latencySpread*r.NormFloat64())
		reqs[i] = request{latency: lat, failed: r.Float64() < st.errorRate}
	}
	return reqs
}

// purchaseProbability is the chance that a user who had these requests buys
// within the day: the segment's propensity, lowered by slow and failing
// checkout, and by any direct effect of the change.
func purchaseProbability(seg segment, reqs []request, st treatmentState) float64 {
	p := baseConversion[seg.platform] * countryFactor[seg.country]
	var sum float64
	failed := false
	for _, q := range reqs {
		sum += q.latency
		failed = failed || q.failed
	}
	if len(reqs) > 0 {
		if excess := sum/float64(len(reqs)) - 0.25; excess > 0 {
			p *= math.Exp(-latencySensitivity * excess)
		}
	}
	if failed {
		p *= failurePenalty
	}
	return math.Min(p*st.conversionFactor, 0.95)
}

// amount is a purchase value: log-normal (median about 40) with a small
// share of Pareto-tailed large orders, so the mean is dominated by a few.
func amount(r *rand.Rand) float64 {
	v := math.Exp(3.7 + 0.9*r.NormFloat64())
	if r.Float64() < 0.02 {
		v *= math.Pow(1-r.Float64(), -1/1.5) // Pareto, alpha 1.5
	}
	return math.Round(v*100) / 100
}

// purchaseDelay is how long after the session a buyer pays, in simulated
// time: mostly within the hour.
func purchaseDelay(r *rand.Rand) time.Duration {
	return time.Duration(r.ExpFloat64() * float64(15*time.Minute))
}

// laterSessions is how many more sessions a user has in the following
// simulated hours.
func laterSessions(r *rand.Rand) int {
	return poisson(r, 0.4)
}

func poisson(r *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
