package plan

// Defaults filled in when a plan leaves a field out.
const (
	DefaultUnit           = "user_id"
	DefaultAlpha          = 0.05
	DefaultSequential     = true
	DefaultCorrection     = "holm"
	DefaultMinUnitsPerArm = 100
	DefaultTuningN        = 5000
	DefaultSRMThreshold   = 0.001
)

// Multiple-comparison corrections.
const (
	CorrectionHolm = "holm"
	CorrectionBH   = "bh"
	CorrectionNone = "none"
)

// Metric directions.
const (
	DirectionIncrease = "increase"
	DirectionDecrease = "decrease"
)

// newDefaultedPlan returns an empty plan holding every default. Parse decodes
// into it, so a field the file leaves out (or sets to null) keeps its default
// while one written explicitly, even as 0, is checked as written.
func newDefaultedPlan() *Plan {
	p := &Plan{}
	p.ApplyDefaults()
	return p
}

// ApplyDefaults fills every default-bearing field that is unset (zero). Parse
// has already done this; it is for plans built in code.
func (p *Plan) ApplyDefaults() {
	if p.Unit == "" {
		p.Unit = DefaultUnit
	}
	a := &p.Analysis
	if a.Alpha == 0 {
		a.Alpha = DefaultAlpha
	}
	if a.Sequential == nil {
		seq := DefaultSequential
		a.Sequential = &seq
	}
	if a.Correction == "" {
		a.Correction = DefaultCorrection
	}
	if a.MinUnitsPerArm == 0 {
		a.MinUnitsPerArm = DefaultMinUnitsPerArm
	}
	if a.TuningN == 0 {
		a.TuningN = DefaultTuningN
	}
	if a.SRMThreshold == 0 {
		a.SRMThreshold = DefaultSRMThreshold
	}
}
