package stats

import (
	"errors"
	"testing"
)

// TestAdjustMatchesR checks Holm and BH against p.adjust on random p-values,
// ties, the bounds 0 and 1 and a single p-value.
func TestAdjustMatchesR(t *testing.T) {
	var cases []struct {
		Name string    `json:"name"`
		P    []float64 `json:"p"`
		Holm []float64 `json:"holm"`
		BH   []float64 `json:"bh"`
	}
	loadReference(t, "padjust.json", &cases)
	if len(cases) < 20 {
		t.Fatalf("only %d reference cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			holm, err := HolmAdjust(c.P)
			if err != nil {
				t.Fatal(err)
			}
			bh, err := BHAdjust(c.P)
			if err != nil {
				t.Fatal(err)
			}
			if len(holm) != len(c.P) || len(bh) != len(c.P) {
				t.Fatalf("lengths %d, %d, want %d", len(holm), len(bh), len(c.P))
			}
			for i := range c.P {
				checkNear(t, "holm", holm[i], c.Holm[i], 1e-12, 0)
				checkNear(t, "BH", bh[i], c.BH[i], 1e-12, 0)
			}
		})
	}
}

func TestAdjustRejectsNonPValues(t *testing.T) {
	for _, p := range [][]float64{{0.1, -0.01}, {0.1, 1.5}, {nan()}} {
		for name, adjust := range map[string]func([]float64) ([]float64, error){"holm": HolmAdjust, "BH": BHAdjust} {
			_, err := adjust(p)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("%s(%v): err = %v, want *InputError", name, p, err)
			}
		}
	}
}

func TestAdjustEmpty(t *testing.T) {
	for _, adjust := range []func([]float64) ([]float64, error){HolmAdjust, BHAdjust} {
		got, err := adjust(nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("adjust(nil) = %v, %v; want empty, nil", got, err)
		}
	}
}
