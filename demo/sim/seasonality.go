package sim

import (
	"math"
	"time"
)

// trafficIntensity is the daily cycle of new users relative to the day's
// mean (it averages 1 over a day): a trough around 6-7 a.m. at a quarter of
// the mean, busy afternoons and evenings at about 1.5 times it, the shape
// checkout traffic usually has.
func trafficIntensity(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
	daily := 0.6 * math.Cos(2*math.Pi*(h-18)/24)
	halfDaily := 0.2 * math.Cos(2*math.Pi*(h-13)/12)
	return 1 + daily + halfDaily
}
