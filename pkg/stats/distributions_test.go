package stats

import "testing"

// TestNoncentralTMatchesMpmath checks the noncentral t upper tail against
// 40-digit mpmath integrals (scripts/stats/generate_reference.py).
func TestNoncentralTMatchesMpmath(t *testing.T) {
	var cases []struct{ Q, DF, NCP, Upper float64 }
	loadReference(t, "noncentral_t_mpmath.json", &cases)
	if len(cases) < 100 {
		t.Fatalf("only %d reference cases", len(cases))
	}
	for _, c := range cases {
		got := noncentralTUpper(c.Q, c.DF, c.NCP)
		if !near(got, c.Upper, 1e-12, 1e-300) {
			t.Errorf("P(T'(df=%v, ncp=%v) > %v) = %.17g, want %.17g", c.DF, c.NCP, c.Q, got, c.Upper)
		}
	}
}

// TestNoncentralTMatchesR checks the same tail against R's pt(q, df, ncp,
// lower.tail = FALSE), which power.t.test uses and which is accurate to about
// 1e-11 (R warns about precision near 1).
func TestNoncentralTMatchesR(t *testing.T) {
	var cases []struct{ Q, DF, NCP, Upper float64 }
	loadReference(t, "noncentral_t.json", &cases)
	if len(cases) < 100 {
		t.Fatalf("only %d reference cases", len(cases))
	}
	for _, c := range cases {
		got := noncentralTUpper(c.Q, c.DF, c.NCP)
		if !near(got, c.Upper, 0, 1e-10) {
			t.Errorf("P(T'(df=%v, ncp=%v) > %v) = %.17g, want %.17g", c.DF, c.NCP, c.Q, got, c.Upper)
		}
	}
}

// TestStudentTMatchesR checks the t quantile and lower tail on both sides of
// the switch to the Cornish–Fisher expansion, up to df = 1e12. Just below the
// switch gonum's incomplete beta is good to about 1e-11, hence 1e-10.
func TestStudentTMatchesR(t *testing.T) {
	var cases []struct{ DF, Tail, Quantile, X, Lower float64 }
	loadReference(t, "student_t.json", &cases)
	if len(cases) < 50 {
		t.Fatalf("only %d reference cases", len(cases))
	}
	for _, c := range cases {
		checkNear(t, "t quantile", tQuantileUpper(c.Tail, c.DF), c.Quantile, 1e-10, 0)
		checkNear(t, "t lower tail", tLowerTail(c.X, c.DF), c.Lower, 1e-10, 0)
	}
}
