package clickhouse

import (
	"math"
	"testing"
)

func TestFloorAndCeilDiv(t *testing.T) {
	for a := int64(-2_500_001); a <= 2_500_001; a += 250_000 {
		for _, d := range []int64{a - 1, a, a + 1} {
			if got, want := floorDiv(d, 1e6), int64(math.Floor(float64(d)/1e6)); got != want {
				t.Errorf("floorDiv(%d, 1e6) = %d, want %d", d, got, want)
			}
			if got, want := ceilDiv(d, 1e6), int64(math.Ceil(float64(d)/1e6)); got != want {
				t.Errorf("ceilDiv(%d, 1e6) = %d, want %d", d, got, want)
			}
		}
	}
}
