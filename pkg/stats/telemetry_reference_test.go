package stats

import (
	"math"
	"testing"
)

// series is a JSON list of numbers where null marks a missing step (NaN).
type series []*float64

func (s series) values() []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		if v == nil {
			out[i] = math.NaN()
		} else {
			out[i] = *v
		}
	}
	return out
}

type telemetryReference struct {
	PearsonSpearman []struct {
		Name     string    `json:"name"`
		Alpha    float64   `json:"alpha"`
		X        []float64 `json:"x"`
		Y        []float64 `json:"y"`
		Pearson  refCorr   `json:"pearson"`
		Spearman refCorr   `json:"spearman"`
	} `json:"pearson_spearman"`
	BatchLag1 []struct {
		Phi  float64 `json:"phi"`
		M    int     `json:"m"`
		Lag1 float64 `json:"lag1"`
	} `json:"batch_lag1"`
	BatchInflation []struct {
		Phi       float64 `json:"phi"`
		M         int     `json:"m"`
		B         int     `json:"b"`
		Inflation float64 `json:"inflation"`
	} `json:"batch_inflation"`
	Batch []struct {
		Name      string    `json:"name"`
		Control   []float64 `json:"control"`
		Treatment []float64 `json:"treatment"`
		Lag1      float64   `json:"lag1"`
		Steps     int       `json:"steps"`
		Alpha     float64   `json:"alpha"`
		Inflation float64   `json:"inflation"`
		Estimate  float64   `json:"estimate"`
		Lower     float64   `json:"lower"`
		Upper     float64   `json:"upper"`
		SE        float64   `json:"se"`
		P         float64   `json:"p"`
		Relative  struct {
			Estimate, Lower, Upper float64
		} `json:"relative"`
	} `json:"batch"`
	Lag1 []struct {
		X    series  `json:"x"`
		Lag1 float64 `json:"lag1"`
	} `json:"lag1"`
	LeadLag []struct {
		X      series `json:"x"`
		Y      series `json:"y"`
		MaxLag int    `json:"max_lag"`
		Lags   []struct {
			Lag int     `json:"lag"`
			N   int     `json:"n"`
			R   float64 `json:"r"`
		} `json:"lags"`
		BestLag     int     `json:"best_lag"`
		PearsonR    float64 `json:"pearson_r"`
		PearsonP    float64 `json:"pearson_p"`
		SpearmanR   float64 `json:"spearman_r"`
		SpearmanP   float64 `json:"spearman_p"`
		BonferroniP float64 `json:"bonferroni_p"`
		Shifts      int     `json:"shifts"`
		ShiftP      float64 `json:"shift_p"`
	} `json:"leadlag"`
	LevelShift []struct {
		Name        string  `json:"name"`
		X           series  `json:"x"`
		At          int     `json:"at"`
		Before      float64 `json:"before"`
		After       float64 `json:"after"`
		Count1      int     `json:"count1"`
		Count2      int     `json:"count2"`
		Lag1        float64 `json:"lag1"`
		Statistic   float64 `json:"statistic"`
		Critical    float64 `json:"critical"`
		Significant bool    `json:"significant"`
		RobustLag1  float64 `json:"robust_lag1"`
	} `json:"level_shift"`
}

type refCorr struct {
	R, P, Lower, Upper float64
}

func loadTelemetryReference(t *testing.T) telemetryReference {
	t.Helper()
	var ref telemetryReference
	loadReference(t, "telemetry.json", &ref)
	if len(ref.PearsonSpearman) == 0 || len(ref.Batch) == 0 || len(ref.LeadLag) == 0 {
		t.Fatal("telemetry.json is missing cases; regenerate with /usr/bin/python3 scripts/stats/generate_telemetry_reference.py")
	}
	return ref
}

// TestCorrelationMatchesSciPy: Pearson against scipy.stats.pearsonr (r,
// p-value, Fisher-z confidence_interval), Spearman against spearmanr and the
// Fieller-Hartley-Pearson interval.
func TestCorrelationMatchesSciPy(t *testing.T) {
	for _, c := range loadTelemetryReference(t).PearsonSpearman {
		p, err := Pearson(c.X, c.Y, c.Alpha)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+" pearson r", p.R, c.Pearson.R, 1e-12, 1e-14)
		checkNear(t, c.Name+" pearson p", p.PValue, c.Pearson.P, 1e-9, 1e-14)
		checkNear(t, c.Name+" pearson lower", p.Lower, c.Pearson.Lower, 1e-9, 1e-12)
		checkNear(t, c.Name+" pearson upper", p.Upper, c.Pearson.Upper, 1e-9, 1e-12)
		s, err := Spearman(c.X, c.Y, c.Alpha)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+" spearman r", s.R, c.Spearman.R, 1e-12, 1e-14)
		checkNear(t, c.Name+" spearman p", s.PValue, c.Spearman.P, 1e-9, 1e-14)
		checkNear(t, c.Name+" spearman lower", s.Lower, c.Spearman.Lower, 1e-9, 1e-12)
		checkNear(t, c.Name+" spearman upper", s.Upper, c.Spearman.Upper, 1e-9, 1e-12)
		if !p.Defined || !s.Defined || p.N != len(c.X) {
			t.Errorf("%s: defined %v/%v, n %d", c.Name, p.Defined, s.Defined, p.N)
		}
	}
}

// TestBatchAutocorrelationMatchesCovarianceMatrix checks the closed forms
// for the batch-mean autocorrelation and the variance inflation against
// values the reference script computes numerically from the full AR(1)
// covariance matrix.
func TestBatchAutocorrelationMatchesCovarianceMatrix(t *testing.T) {
	ref := loadTelemetryReference(t)
	for _, c := range ref.BatchLag1 {
		checkNear(t, "BatchMeanLag1", BatchMeanLag1(c.Phi, c.M), c.Lag1, 1e-9, 1e-12)
	}
	for _, c := range ref.BatchInflation {
		// κ = c(b-1)/(b-c) gives back c = κb/(b-1+κ); below b - c = 1 the
		// batches carry too little information and BatchInflation refuses.
		b := float64(c.B)
		cc := c.Inflation * b / (b - 1 + c.Inflation)
		got, ok := BatchInflation(c.Phi, c.M, c.B)
		if ok != (b-cc > 1) {
			t.Errorf("BatchInflation(%g, %d, %d) ok = %v with c = %g", c.Phi, c.M, c.B, ok, cc)
			continue
		}
		if ok {
			checkNear(t, "BatchInflation", got, c.Inflation, 1e-8, 1e-12)
		}
	}
}

// TestCompareBatchesMatchesSciPy: the paired batch-means interval and
// p-value against scipy.stats.ttest_1samp (no correction) and Student t
// with the numerically computed inflation.
func TestCompareBatchesMatchesSciPy(t *testing.T) {
	for _, c := range loadTelemetryReference(t).Batch {
		got, err := CompareBatches(BatchInput{
			Control: c.Control, Treatment: c.Treatment, Lag1: c.Lag1, StepsPerBatch: c.Steps,
			Alpha: c.Alpha, Direction: Decrease,
		})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+" inflation", got.Inflation, c.Inflation, 1e-8, 0)
		checkNear(t, c.Name+" estimate", got.Absolute.Estimate, c.Estimate, 1e-12, 1e-12)
		checkNear(t, c.Name+" se", got.Absolute.SE, c.SE, 1e-8, 0)
		checkNear(t, c.Name+" lower", got.Absolute.Lower, c.Lower, 1e-8, 1e-12)
		checkNear(t, c.Name+" upper", got.Absolute.Upper, c.Upper, 1e-8, 1e-12)
		checkNear(t, c.Name+" p", got.PValue, c.P, 1e-7, 1e-14)
		checkNear(t, c.Name+" relative", got.Relative.Estimate, c.Relative.Estimate, 1e-12, 1e-14)
		checkNear(t, c.Name+" relative lower", got.Relative.Lower, c.Relative.Lower, 1e-8, 1e-12)
		checkNear(t, c.Name+" relative upper", got.Relative.Upper, c.Relative.Upper, 1e-8, 1e-12)
		if got.DF != float64(len(c.Control)-1) {
			t.Errorf("%s: df %g, want %d", c.Name, got.DF, len(c.Control)-1)
		}
		// The verdict follows the interval: direction decrease, no margin.
		want := Inconclusive
		switch {
		case c.Upper < 0:
			want = Beneficial
		case c.Lower > 0:
			want = Harmful
		}
		if got.Verdict != want {
			t.Errorf("%s: verdict %s, want %s for interval [%g, %g]", c.Name, got.Verdict, want, c.Lower, c.Upper)
		}
	}
}

func TestLag1AutocorrelationMatchesNumPy(t *testing.T) {
	for i, c := range loadTelemetryReference(t).Lag1 {
		got, ok := Lag1Autocorrelation(c.X.values())
		if !ok {
			t.Fatalf("case %d: not ok", i)
		}
		checkNear(t, "lag1", got, c.Lag1, 1e-12, 1e-14)
	}
}

// TestLevelShiftMatchesNumPy: the change point against a brute-force search
// over every split's sum of squares, the residual lag-1, the test statistic,
// its critical value (scipy.stats.t.ppf) and the resulting lag-1 estimate.
func TestLevelShiftMatchesNumPy(t *testing.T) {
	ref := loadTelemetryReference(t)
	if len(ref.LevelShift) == 0 {
		t.Fatal("telemetry.json has no level_shift cases; regenerate it")
	}
	for _, c := range ref.LevelShift {
		x := c.X.values()
		s, ok := FindLevelShift(x)
		if !ok {
			t.Fatalf("%s: not ok", c.Name)
		}
		if s.At != c.At || s.Count1 != c.Count1 || s.Count2 != c.Count2 || s.Significant() != c.Significant {
			t.Errorf("%s: change at %d (%d+%d) significant %v, want %d (%d+%d) %v",
				c.Name, s.At, s.Count1, s.Count2, s.Significant(), c.At, c.Count1, c.Count2, c.Significant)
		}
		checkNear(t, c.Name+" before", s.Before, c.Before, 1e-12, 1e-12)
		checkNear(t, c.Name+" after", s.After, c.After, 1e-12, 1e-12)
		checkNear(t, c.Name+" lag1", s.Lag1, c.Lag1, 1e-10, 1e-12)
		checkNear(t, c.Name+" statistic", s.Statistic, c.Statistic, 1e-9, 1e-12)
		checkNear(t, c.Name+" critical", s.Critical, c.Critical, 1e-8, 1e-12)
		robust, _, ok := ShiftRobustLag1(x)
		if !ok {
			t.Fatalf("%s: ShiftRobustLag1 not ok", c.Name)
		}
		checkNear(t, c.Name+" robust lag1", robust, c.RobustLag1, 1e-10, 1e-12)
	}
}

// TestLeadLagMatchesSciPy: every lag's r against pearsonr on the lagged
// pairs, the best lag, its Pearson and Spearman p-values, Bonferroni and the
// circular shift test (reimplemented independently in the script).
func TestLeadLagMatchesSciPy(t *testing.T) {
	for i, c := range loadTelemetryReference(t).LeadLag {
		got, err := LeadLag(c.X.values(), c.Y.values(), c.MaxLag, 0.05)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !got.Defined || got.Lag != c.BestLag {
			t.Errorf("case %d: best lag %d (defined %v), want %d", i, got.Lag, got.Defined, c.BestLag)
		}
		for k, l := range c.Lags {
			if got.Lags[k].N != l.N {
				t.Errorf("case %d lag %d: n %d, want %d", i, k, got.Lags[k].N, l.N)
			}
			checkNear(t, "lag r", got.Lags[k].R, l.R, 1e-12, 1e-14)
		}
		checkNear(t, "best r", got.Pearson.R, c.PearsonR, 1e-12, 1e-14)
		checkNear(t, "best p", got.Pearson.PValue, c.PearsonP, 1e-9, 1e-15)
		checkNear(t, "spearman r", got.Spearman.R, c.SpearmanR, 1e-12, 1e-14)
		checkNear(t, "spearman p", got.Spearman.PValue, c.SpearmanP, 1e-9, 1e-15)
		checkNear(t, "bonferroni", got.BonferroniP, c.BonferroniP, 1e-9, 1e-15)
		if got.Shifts != c.Shifts || !got.ShiftPDefined {
			t.Errorf("case %d: %d shifts (defined %v), want %d", i, got.Shifts, got.ShiftPDefined, c.Shifts)
		}
		checkNear(t, "shift p", got.ShiftP, c.ShiftP, 1e-12, 0)
	}
}

type telemetryRReference struct {
	Kayenta []struct {
		Name           string    `json:"name"`
		Canary         []float64 `json:"canary"`
		Baseline       []float64 `json:"baseline"`
		Tolerance      float64   `json:"tolerance"`
		Direction      string    `json:"direction"`
		W              float64   `json:"w"`
		PValue         float64   `json:"p_value"`
		Estimate       float64   `json:"estimate"`
		Lower          float64   `json:"lower"`
		Upper          float64   `json:"upper"`
		MeanRatio      float64   `json:"mean_ratio"`
		Classification string    `json:"classification"`
		Verdict        Verdict   `json:"verdict"`
	} `json:"kayenta"`
	RobustZ []struct {
		Current float64   `json:"current"`
		History []float64 `json:"history"`
		Median  float64   `json:"median"`
		MAD     float64   `json:"mad"`
		Z       float64   `json:"z"`
	} `json:"robust_z"`
}

// TestKayentaMatchesR: the Mann–Whitney interval at 98% against R's
// wilcox.test and the classification written out in R from Kayenta's rule.
func TestKayentaMatchesR(t *testing.T) {
	var ref telemetryRReference
	loadReference(t, "telemetry_r.json", &ref)
	if len(ref.Kayenta) == 0 {
		t.Fatal("no cases; regenerate with Rscript scripts/stats/generate_telemetry_reference.R")
	}
	for _, c := range ref.Kayenta {
		dir := Increase
		if c.Direction == "decrease" {
			dir = Decrease
		}
		got, err := KayentaClassify(KayentaInput{Canary: c.Canary, Baseline: c.Baseline, Tolerance: c.Tolerance, Direction: dir})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		checkNear(t, c.Name+" W", got.MannWhitney.W, c.W, 1e-12, 0)
		checkNear(t, c.Name+" p", got.MannWhitney.PValue, c.PValue, 1e-9, 1e-15)
		// Roots found with R's tolerance 1e-4 (see TestMannWhitneyMatchesR).
		scale := math.Abs(c.Upper - c.Lower)
		checkNear(t, c.Name+" estimate", got.MannWhitney.Estimate, c.Estimate, 0, 1e-4*scale)
		checkNear(t, c.Name+" lower", got.MannWhitney.Lower, c.Lower, 0, 1e-4*scale)
		checkNear(t, c.Name+" upper", got.MannWhitney.Upper, c.Upper, 0, 1e-4*scale)
		checkNear(t, c.Name+" mean ratio", got.MeanRatio, c.MeanRatio, 1e-12, 0)
		if got.Classification != c.Classification || got.Verdict != c.Verdict {
			t.Errorf("%s: %s/%s, want %s/%s", c.Name, got.Classification, got.Verdict, c.Classification, c.Verdict)
		}
	}
}

func TestRobustZMatchesR(t *testing.T) {
	var ref telemetryRReference
	loadReference(t, "telemetry_r.json", &ref)
	if len(ref.RobustZ) == 0 {
		t.Fatal("no cases")
	}
	for i, c := range ref.RobustZ {
		got, err := RobustZ(c.Current, c.History)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		checkNear(t, "median", got.Median, c.Median, 1e-15, 0)
		checkNear(t, "mad", got.MAD, c.MAD, 1e-14, 0)
		checkNear(t, "z", got.Z, c.Z, 1e-12, 0)
		if !got.Defined || got.Scale != got.MAD {
			t.Errorf("case %d: defined %v scale %g mad %g", i, got.Defined, got.Scale, got.MAD)
		}
	}
}
