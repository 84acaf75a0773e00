package stats

import "testing"

// comparisonWith builds a comparison with the given absolute and relative
// intervals (only the bounds matter to Decide).
func comparisonWith(absLo, absHi float64, relDefined bool, relLo, relHi float64) Comparison {
	c := Comparison{
		Absolute:        Interval{Lower: absLo, Upper: absHi, Estimate: (absLo + absHi) / 2},
		RelativeDefined: relDefined,
		Verdict:         Inconclusive,
	}
	if relDefined {
		c.Relative = Interval{Lower: relLo, Upper: relHi, Estimate: (relLo + relHi) / 2}
	}
	return c
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name   string
		c      Comparison
		dir    Direction
		margin Margin
		want   Verdict
	}{
		{"increase, above 0", comparisonWith(0.1, 0.5, true, 0.01, 0.05), Increase, Margin{}, Beneficial},
		{"increase, straddles 0", comparisonWith(-0.1, 0.5, true, -0.01, 0.05), Increase, Margin{}, Inconclusive},
		{"increase, below 0", comparisonWith(-0.5, -0.1, true, -0.05, -0.01), Increase, Margin{}, Harmful},
		{"increase, touches 0 is not beneficial", comparisonWith(0, 0.5, true, 0, 0.05), Increase, Margin{}, Inconclusive},
		{"decrease, below 0", comparisonWith(-0.5, -0.1, true, -0.05, -0.01), Decrease, Margin{}, Beneficial},
		{"decrease, above 0", comparisonWith(0.1, 0.5, true, 0.01, 0.05), Decrease, Margin{}, Harmful},
		{"increase, within absolute margin", comparisonWith(-0.5, -0.1, true, -0.05, -0.01), Increase, Margin{Absolute: 0.2}, Inconclusive},
		{"increase, beyond absolute margin", comparisonWith(-0.5, -0.3, true, -0.05, -0.03), Increase, Margin{Absolute: 0.2}, Harmful},
		{"decrease, beyond absolute margin", comparisonWith(0.3, 0.5, true, 0.03, 0.05), Decrease, Margin{Absolute: 0.2}, Harmful},
		{"decrease, within absolute margin", comparisonWith(0.1, 0.5, true, 0.01, 0.05), Decrease, Margin{Absolute: 0.2}, Inconclusive},
		{"increase, within relative margin", comparisonWith(-0.5, -0.1, true, -0.05, -0.01), Increase, Margin{Relative: 0.02}, Inconclusive},
		{"increase, beyond relative margin", comparisonWith(-0.5, -0.3, true, -0.05, -0.03), Increase, Margin{Relative: 0.02}, Harmful},
		{"decrease, beyond relative margin", comparisonWith(0.3, 0.5, true, 0.03, 0.05), Decrease, Margin{Relative: 0.02}, Harmful},
		// Relative lift undefined: the relative margin falls back to 0.
		{"relative margin, undefined lift, bad side", comparisonWith(-0.5, -0.1, false, 0, 0), Increase, Margin{Relative: 0.5}, Harmful},
		{"relative margin, undefined lift, straddles", comparisonWith(-0.5, 0.1, false, 0, 0), Increase, Margin{Relative: 0.5}, Inconclusive},
		{"relative margin, undefined lift, decrease", comparisonWith(0.1, 0.5, false, 0, 0), Decrease, Margin{Relative: 0.5}, Harmful},
		{"insufficient data stays", Comparison{Verdict: InsufficientData, Absolute: Interval{Lower: 1, Upper: 2}}, Increase, Margin{}, InsufficientData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decide(tt.c, tt.dir, tt.margin); got != tt.want {
				t.Errorf("Decide = %s, want %s", got, tt.want)
			}
		})
	}
}

// Compare's verdict and reason follow the direction: the same data are
// beneficial when more is better and harmful when less is better.
func TestCompareVerdictFollowsDirection(t *testing.T) {
	in := CompareInput{Kind: KindProportion, Alpha: 0.05,
		Control:   []ArmSums{{N: 2000, SumY: 200, SumY2: 200}},
		Treatment: []ArmSums{{N: 2000, SumY: 300, SumY2: 300}}}
	up, err := Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Direction = Decrease
	down, err := Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	if up.Verdict != Beneficial || down.Verdict != Harmful {
		t.Fatalf("verdicts %s/%s, want beneficial/harmful (%s | %s)", up.Verdict, down.Verdict, up.Reason, down.Reason)
	}
	if up.Reason == "" || down.Reason == "" || up.Reason == down.Reason {
		t.Errorf("reasons %q and %q should explain each verdict", up.Reason, down.Reason)
	}
}
