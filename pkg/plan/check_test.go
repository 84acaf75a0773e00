package plan

import (
	"strings"
	"testing"
)

func TestBasePlanIsValid(t *testing.T) {
	if problems := problemsOf(t, basePlan); len(problems) != 0 {
		t.Fatalf("base plan has problems: %v", problems)
	}
}

// TestRules breaks one rule at a time and wants the problem reported with
// the field's dotted path, its position in the file and what was expected.
// Line and column are counted by hand from basePlan; column 0 means "not
// checked" (used where the position is the parent's).
func TestRules(t *testing.T) {
	const plan1h = "2026-11-01T01:00:00Z"
	tests := []struct {
		name      string
		src       string
		field     string
		line, col int
		message   string
	}{
		// Header.
		{"id missing", edit(map[int]string{1: "#"}), "id", 2, 1, "required"},
		{"id not a slug", edit(map[int]string{1: "id: Checkout V2"}), "id", 1, 5, "lower-case letters"},
		{"id too long", edit(map[int]string{1: "id: " + strings.Repeat("a", 129)}), "id", 1, 5, "1-128"},
		{"start missing", edit(map[int]string{3: "#"}), "start", 1, 1, "required: an RFC 3339 time"},
		{"start date only", edit(map[int]string{3: "start: 2026-11-01"}), "start", 3, 8, "RFC 3339"},
		{"start without zone", edit(map[int]string{3: "start: 2026-11-01T00:00:00"}), "start", 3, 8, "RFC 3339"},
		{"start not a scalar", edit(map[int]string{3: "start: [2026]"}), "start", 3, 8, "got a list"},
		{"end before start", edit(map[int]string{3: "start: 2026-11-01T00:00:00Z\nend: 2026-10-01T00:00:00Z"}), "end", 4, 6, "must be after start"},
		{"end equal to start", edit(map[int]string{3: "start: 2026-11-01T00:00:00Z\nend: 2026-11-01T01:00:00+01:00"}), "end", 4, 6, "must be after start"},
		{"unit empty", edit(map[int]string{2: `unit: ""`}), "unit", 2, 7, "must not be empty"},

		// Arms and control.
		{"one arm", edit(map[int]string{7: "    weight: 1", 8: "#", 9: "#"}), "arms", 6, 3, "at least 2 arms"},
		{"arm name empty", edit(map[int]string{8: `  - name: ""`}), "arms[1].name", 8, 11, "required"},
		{"arm name duplicate", edit(map[int]string{8: "  - name: control"}), "arms[1].name", 8, 11, `duplicate arm name "control" (also arms[0])`},
		{"arm weight zero", edit(map[int]string{9: "    weight: 0"}), "arms[1].weight", 9, 13, "must be in (0, 1], got 0"},
		{"arm weight above one", edit(map[int]string{9: "    weight: 1.5"}), "arms[1].weight", 9, 13, "must be in (0, 1]"},
		{"arm weight not a number", edit(map[int]string{9: "    weight: half"}), "arms[1].weight", 9, 13, `expected a number, got "half"`},
		{"arm weight NaN", edit(map[int]string{9: "    weight: .nan"}), "arms[1].weight", 9, 13, "finite"},
		{"arm weights sum", edit(map[int]string{7: "    weight: 0.6"}), "arms", 6, 3, "weights must sum to 1, got 1.1"},
		{"control not an arm", edit(map[int]string{4: "control: ctrl"}), "control", 4, 10, `must be one of the arms (control, treatment), got "ctrl"`},
		{"control missing", edit(map[int]string{4: "#"}), "control", 1, 1, "required"},
		{"arms not a list", edit(map[int]string{5: "arms: {control: 0.5}", 6: "#", 7: "#", 8: "#", 9: "#"}), "arms", 5, 7, "expected a list"},

		// Exposure.
		{"exposure event missing", edit(map[int]string{11: "  #"}), "exposure.event", 12, 3, "required"},
		{"exposure experiment property missing", edit(map[int]string{12: "  #"}), "exposure.experiment_property", 11, 3, "required"},
		{"exposure arm property missing", edit(map[int]string{13: "  #"}), "exposure.arm_property", 11, 3, "required"},

		// Analysis.
		{"alpha too large", edit(map[int]string{15: "  alpha: 0.5"}), "analysis.alpha", 15, 10, "must be in (0, 0.5), got 0.5"},
		{"alpha explicit zero", edit(map[int]string{15: "  alpha: 0"}), "analysis.alpha", 15, 10, "must be in (0, 0.5), got 0"},
		{"alpha negative", edit(map[int]string{15: "  alpha: -0.05"}), "analysis.alpha", 15, 10, "must be in (0, 0.5)"},
		{"correction unknown", edit(map[int]string{15: "  correction: bonferroni"}), "analysis.correction", 15, 15, `must be one of holm, bh, none, got "bonferroni"`},
		{"min units per arm", edit(map[int]string{15: "  min_units_per_arm: 1"}), "analysis.min_units_per_arm", 15, 22, "at least 2, got 1"},
		{"min units per arm fraction", edit(map[int]string{15: "  min_units_per_arm: 2.5"}), "analysis.min_units_per_arm", 15, 22, "expected a whole number"},
		{"tuning n zero", edit(map[int]string{15: "  tuning_n: 0"}), "analysis.tuning_n", 15, 13, "must be > 0"},
		{"srm threshold one", edit(map[int]string{15: "  srm_threshold: 1"}), "analysis.srm_threshold", 15, 18, "must be in (0, 1), got 1"},
		{"sequential yes", edit(map[int]string{15: "  sequential: maybe"}), "analysis.sequential", 15, 15, "expected true or false"},

		// Metrics.
		{"metrics empty", edit(map[int]string{16: "metrics: []", 17: "#", 18: "#", 19: "#", 20: "#", 21: "#", 22: "#", 23: "#", 24: "#", 25: "#", 26: "#", 27: "#", 28: "#", 29: "#", 30: "#", 31: "#", 32: "#", 33: "#", 34: "#", 35: "#", 36: "#", 37: "#", 38: "#", 39: "#", 40: "#"}), "metrics", 16, 10, "at least 1 metric"},
		{"no primary metric", edit(map[int]string{18: "    role: secondary"}), "metrics", 17, 3, "role: primary"},
		{"role unknown", edit(map[int]string{24: "    role: tertiary"}), "metrics[1].role", 24, 11, `must be one of primary, secondary, guardrail, got "tertiary"`},
		{"role missing", edit(map[int]string{24: "    #"}), "metrics[1].role", 23, 5, "required: one of primary, secondary, guardrail"},
		{"metric name duplicate", edit(map[int]string{23: "  - name: purchase_conversion"}), "metrics[1].name", 23, 11, `duplicate metric name "purchase_conversion" (also metrics[0])`},
		{"metric name with space", edit(map[int]string{23: `  - name: "re venue"`}), "metrics[1].name", 23, 11, "letters, digits"},
		{"metric name missing", edit(map[int]string{23: "  - role: secondary", 24: "    #"}), "metrics[1].name", 23, 5, "required"},
		{"kind unknown", edit(map[int]string{25: "    kind: median"}), "metrics[1].kind", 25, 11, `must be one of conversion, count, mean, ratio, prometheus, got "median"`},
		{"kind missing", edit(map[int]string{25: "    #"}), "metrics[1].kind", 23, 5, "required: one of conversion, count, mean, ratio, prometheus"},
		{"kind prometheus without block", edit(map[int]string{25: "    kind: prometheus", 26: "#", 27: "#"}), "metrics[1].prometheus", 23, 5, "required for prometheus metrics"},
		{"conversion without event", edit(map[int]string{20: "    #"}), "metrics[0].event", 17, 5, "required for conversion metrics"},
		{"count without event", edit(map[int]string{19: "    kind: count", 20: "    #"}), "metrics[0].event", 17, 5, "required for count metrics"},
		{"conversion with property", edit(map[int]string{20: "    event: purchase\n    property: amount"}), "metrics[0].property", 21, 15, "only mean metrics sum a property"},
		{"conversion with numerator", edit(map[int]string{20: "    event: purchase\n    numerator: {event: x}"}), "metrics[0].numerator", 21, 16, "only ratio metrics"},
		{"mean without property", edit(map[int]string{27: "    #"}), "metrics[1].property", 23, 5, "required for mean metrics"},
		{"mean without event", edit(map[int]string{26: "    #"}), "metrics[1].event", 23, 5, "required for mean metrics"},
		{"ratio without numerator", edit(map[int]string{34: "    #", 35: "    #"}), "metrics[2].numerator", 31, 5, "required for ratio metrics"},
		{"ratio without denominator", edit(map[int]string{36: "    #", 37: "    #"}), "metrics[2].denominator", 31, 5, "required for ratio metrics"},
		{"ratio numerator without event", edit(map[int]string{35: `      event: ""`}), "metrics[2].numerator.event", 35, 14, "required"},
		{"ratio with event", edit(map[int]string{33: "    kind: ratio\n    event: client_error"}), "metrics[2].event", 34, 12, "use numerator and denominator, not event"},
		{"ratio with property", edit(map[int]string{33: "    kind: ratio\n    property: x"}), "metrics[2].property", 34, 15, "not property"},
		{"ratio with cuped", edit(map[int]string{33: "    kind: ratio\n    cuped: {lookback: 7d}"}), "metrics[2].cuped", 34, 12, "CUPED is not supported for ratio metrics"},
		{"ratio with window", edit(map[int]string{33: "    kind: ratio\n    window: 1d"}), "metrics[2].window", 34, 13, "only conversion and count metrics take a window"},
		{"mean with window", edit(map[int]string{25: "    kind: mean\n    window: 1d"}), "metrics[1].window", 26, 13, "only conversion and count"},
		{"window negative", edit(map[int]string{21: "    window: -1h"}), "metrics[0].window", 21, 13, "must not be negative, got -1h"},
		{"window not a duration", edit(map[int]string{21: "    window: 3 days"}), "metrics[0].window", 21, 13, `expected a duration like 30m, 72h, 3d or 2w, got "3 days"`},
		{"window without unit", edit(map[int]string{21: "    window: 3600"}), "metrics[0].window", 21, 13, "expected a duration"},
		{"direction missing", edit(map[int]string{22: "    #"}), "metrics[0].direction", 17, 5, "required: increase, decrease"},
		{"direction unknown", edit(map[int]string{22: "    direction: up"}), "metrics[0].direction", 22, 16, `must be one of increase, decrease, got "up"`},
		{"margin both set", edit(map[int]string{40: "      relative: 0.05\n      absolute: 0.1"}), "metrics[2].margin", 40, 7, "exactly one of relative"},
		{"margin empty", edit(map[int]string{39: "    margin: {}", 40: "#"}), "metrics[2].margin", 39, 13, "exactly one of relative"},
		{"margin relative one", edit(map[int]string{40: "      relative: 1"}), "metrics[2].margin.relative", 40, 17, "must be in (0, 1)"},
		{"margin relative negative", edit(map[int]string{40: "      relative: -0.05"}), "metrics[2].margin.relative", 40, 17, "must be in (0, 1)"},
		{"margin absolute negative", edit(map[int]string{40: "      absolute: -2"}), "metrics[2].margin.absolute", 40, 17, "must be > 0"},
		{"conversion absolute margin of one", edit(map[int]string{22: "    direction: increase\n    margin: {absolute: 1}"}), "metrics[0].margin.absolute", 23, 24, "below 1 for conversion metrics"},
		{"cuped lookback zero", edit(map[int]string{30: "      lookback: 0s"}), "metrics[1].cuped.lookback", 30, 17, "positive duration"},
		{"cuped without lookback", edit(map[int]string{29: "    cuped: {}", 30: "#"}), "metrics[1].cuped.lookback", 29, 12, "positive duration"},
		{"metric not a mapping", edit(map[int]string{23: "  - revenue", 24: "#", 25: "#", 26: "#", 27: "#", 28: "#", 29: "#", 30: "#"}), "metrics[1]", 23, 5, "expected a mapping"},

		// Segments.
		{"segment duplicate", edit(map[int]string{41: "segments: [platform, platform]"}), "segments[1]", 41, 22, `duplicate segment "platform" (also segments[0])`},
		{"segment empty", edit(map[int]string{41: `segments: [platform, ""]`}), "segments[1]", 41, 22, "must not be empty"},

		// Stages.
		{"stage weights missing arm", edit(map[int]string{44: "    weights: {control: 1}"}), "stages[0].weights", 44, 14, `missing a weight for arm "treatment"`},
		{"stage weights missing", edit(map[int]string{44: "    #"}), "stages[0].weights", 43, 5, "required: a weight for each arm (control, treatment)"},
		{"stage weights extra arm", edit(map[int]string{44: "    weights: {control: 0.99, treatment: 0.01, other: 0}"}), "stages[0].weights.other", 44, 54, "not an arm"},
		{"stage weights sum", edit(map[int]string{44: "    weights: {control: 0.9, treatment: 0.2}"}), "stages[0].weights", 44, 14, "weights must sum to 1, got 1.1"},
		{"stage control weight zero", edit(map[int]string{44: "    weights: {control: 0, treatment: 1}"}), "stages[0].weights.control", 44, 24, "control arm must keep a weight above 0"},
		{"stage weight negative", edit(map[int]string{44: "    weights: {control: 1.1, treatment: -0.1}"}), "stages[0].weights.treatment", 44, 40, "must be in [0, 1], got -0.1"},
		{"stage weights not a mapping", edit(map[int]string{44: "    weights: [0.99, 0.01]"}), "stages[0].weights", 44, 14, "expected a mapping"},
		{"stage name duplicate", edit(map[int]string{46: "  - name: canary"}), "stages[1].name", 46, 11, `duplicate stage name "canary" (also stages[0])`},
		{"stage name missing", edit(map[int]string{46: "  - min_units_per_arm: 200"}), "stages[1].name", 46, 5, "required"},
		{"stage min duration negative", edit(map[int]string{45: "    min_duration: -1h"}), "stages[0].min_duration", 45, 19, "must not be negative"},
		{"stage min units", edit(map[int]string{45: "    min_units_per_arm: 1"}), "stages[0].min_units_per_arm", 45, 24, "at least 2"},
		{"stage start before plan", edit(map[int]string{45: "    start: 2026-10-31T23:00:00Z"}), "stages[0].start", 45, 12, "must not be before the plan's start (2026-11-01T00:00:00Z)"},
		{"stage start not after previous", edit(map[int]string{48: "    start: 2026-11-01T00:00:00Z"}), "stages[1].start", 48, 12, `must be after the start of stage "canary" (2026-11-01T00:00:00Z)`},
		{"stage start not after explicit previous", edit(map[int]string{45: "    start: " + plan1h, 48: "    start: 2026-11-01T00:30:00Z"}), "stages[1].start", 48, 12, `after the start of stage "canary" (2026-11-01T01:00:00Z)`},
		{"stage start after end", edit(map[int]string{3: "start: 2026-11-01T00:00:00Z\nend: 2026-11-02T00:00:00Z", 48: "    start: 2026-11-03T00:00:00Z"}), "stages[1].start", 49, 12, "must be before the plan's end"},

		// Structure.
		{"unknown top-level field", edit(map[int]string{2: "hypothesys: faster"}), "hypothesys", 2, 1, "unknown field; expected one of analysis, arms, control"},
		{"unknown nested field", edit(map[int]string{21: "    windw: 72h"}), "metrics[0].windw", 21, 5, "unknown field"},
		{"duplicate key", edit(map[int]string{2: "id: other"}), "id", 2, 1, "duplicate key (first set on line 1)"},
		{"merge key", edit(map[int]string{2: "<<: {name: x}"}), "<<", 2, 1, "merge keys (<<) are not supported"},
		// A list holding itself must end in an error, not in a loop.
		{"self-referencing alias", edit(map[int]string{41: "segments: &s [*s]"}), "segments[0]", 41, 11, "expected a string, got a list"},
		{"root is a list", "- id: x\n", "", 1, 1, "expected a plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, tt.src)
			for _, p := range problems {
				if p.Field == tt.field && strings.Contains(p.Message, tt.message) {
					if p.Line != tt.line || (tt.col != 0 && p.Column != tt.col) {
						t.Errorf("%s reported at %d:%d, want %d:%d", tt.field, p.Line, p.Column, tt.line, tt.col)
					}
					return
				}
			}
			t.Errorf("no problem %s: %q among:\n%v", tt.field, tt.message, problemLines(problems))
		})
	}
}

func problemLines(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// TestWholeFileProblems covers input that is not a single YAML mapping.
func TestWholeFileProblems(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		message   string
	}{
		{"empty", "", 0, "empty plan"},
		{"comments only", "# nothing\n", 0, "empty plan"},
		{"null document", "---\n", 0, "empty plan"},
		{"syntax error", "id: x\nname: a: b\n", 2, "invalid YAML: mapping values are not allowed"},
		// Parser (not scanner) errors, whose line yaml.v3 prints 0-based.
		{"unclosed flow list", "id: x\nsegments: [a, b\nunit: u\n", 2, "invalid YAML: did not find expected ',' or ']'"},
		{"bad indentation", "id: x\nexposure:\n  event: e\n arm_property: a\n", 4, "invalid YAML: did not find expected key"},
		{"unclosed flow", edit(map[int]string{44: "    weights: {control: 0.99"}), 0, "invalid YAML"},
		{"tab indentation", "id: x\n\t- y\n", 0, "invalid YAML"},
		{"second document", basePlan + "---\nid: other\n", 49, "one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, tt.src)
			for _, p := range problems {
				if strings.Contains(p.Message, tt.message) {
					if tt.line != 0 && p.Line != tt.line {
						t.Errorf("reported on line %d, want %d", p.Line, tt.line)
					}
					return
				}
			}
			t.Errorf("no problem %q among:\n%v", tt.message, problemLines(problems))
		})
	}
}

// TestAllProblemsAtOnce wants independent mistakes reported together, in
// file order, and a value that failed to decode reported only once.
func TestAllProblemsAtOnce(t *testing.T) {
	src := edit(map[int]string{
		1:  "id: Bad Id",
		9:  "    weight: lots", // must not also produce "arms: weights must sum to 1"
		15: "  alpha: 0.7",
		25: "    kind: median",
	})
	problems := problemsOf(t, src)
	want := []string{
		`1:5: id: must be 1-128 lower-case letters`,
		`9:13: arms[1].weight: expected a number, got "lots"`,
		`15:10: analysis.alpha: must be in (0, 0.5), got 0.7`,
		`25:11: metrics[1].kind: must be one of conversion, count, mean, ratio, prometheus, got "median"`,
	}
	if len(problems) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(problems), len(want), problemLines(problems))
	}
	for i, p := range problems {
		if !strings.HasPrefix(p.String(), want[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, p.String(), want[i])
		}
	}
}

func TestValidationErrorFormat(t *testing.T) {
	_, err := Parse([]byte(edit(map[int]string{15: "  alpha: 0.7", 25: "    kind: median"})), "plans/x.yaml")
	if err == nil {
		t.Fatal("want an error")
	}
	want := "plans/x.yaml:15:10: analysis.alpha: must be in (0, 0.5), got 0.7\n" +
		`plans/x.yaml:25:11: metrics[1].kind: must be one of conversion, count, mean, ratio, prometheus, got "median"`
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
	_, err = Parse(nil, "empty.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "empty.yaml: empty plan") {
		t.Errorf("Error() for an empty file = %v, want it to start with %q", err, "empty.yaml: empty plan")
	}
}

// TestValidateBuiltPlan checks plans assembled in code, which have no
// positions; defaults must be applied first.
func TestValidateBuiltPlan(t *testing.T) {
	p, err := Parse([]byte(basePlan), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("a parsed valid plan fails Validate: %v", err)
	}
	p.Arms[1].Weight = 0.7
	p.Metrics[0].Kind = "median"
	err = p.Validate()
	want := "arms: weights must sum to 1, got 1.2\n" +
		`metrics[0].kind: must be one of conversion, count, mean, ratio, prometheus, got "median"`
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want\n%s", err, want)
	}

	var zero Plan
	err = zero.Validate()
	if err == nil || !strings.Contains(err.Error(), "analysis.alpha: must be in (0, 0.5), got 0") {
		t.Errorf("an undefaulted plan should fail on alpha: %v", err)
	}
	zero.ApplyDefaults()
	if err := zero.Validate(); err == nil || strings.Contains(err.Error(), "analysis.") {
		t.Errorf("after ApplyDefaults the analysis section must be valid: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	p, err := Parse([]byte(basePlan), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := p.Analysis
	if p.Unit != "user_id" || a.Alpha != 0.05 || !a.IsSequential() || a.Sequential == nil ||
		a.Correction != "holm" || a.MinUnitsPerArm != 100 || a.TuningN != 5000 || a.SRMThreshold != 0.001 {
		t.Errorf("defaults not filled: unit=%q analysis=%+v", p.Unit, a)
	}
	p, err = Parse([]byte(edit(map[int]string{14: "analysis:\n  sequential: false\n  correction: bh", 15: "#"})), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Analysis.IsSequential() || p.Analysis.Correction != "bh" || p.Analysis.Alpha != 0.05 {
		t.Errorf("explicit values must win and the rest default: %+v", p.Analysis)
	}
	p, err = Parse([]byte(edit(map[int]string{14: "analysis: ~", 15: "#"})), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Analysis.Alpha != 0.05 || p.Analysis.MinUnitsPerArm != 100 {
		t.Errorf("a null analysis means all defaults: %+v", p.Analysis)
	}
}

func TestParseDecodesValues(t *testing.T) {
	p, err := Parse([]byte(basePlan), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "checkout-v2" || p.Start.Format("2006-01-02T15:04:05Z07:00") != "2026-11-01T00:00:00Z" {
		t.Errorf("id/start = %q %v", p.ID, p.Start)
	}
	if got := p.Metrics[0].Window.D(); got.Hours() != 72 {
		t.Errorf("window = %v, want 72h", got)
	}
	if got := p.Metrics[1].CUPED.Lookback.D(); got.Hours() != 14*24 {
		t.Errorf("cuped lookback = %v, want 336h", got)
	}
	if m := p.Metrics[2]; m.Numerator == nil || m.Numerator.Event != "client_error" || m.Denominator.Event != "session_start" || m.Margin.Relative != 0.05 {
		t.Errorf("ratio metric = %+v", m)
	}
	if w := p.Stages[0].Weights; len(w) != 2 || w["control"] != 0.99 || w["treatment"] != 0.01 {
		t.Errorf("stage weights = %v", w)
	}
	if len(p.Segments) != 2 || p.Segments[1] != "country" {
		t.Errorf("segments = %v", p.Segments)
	}
}

func TestLoad(t *testing.T) {
	p, err := Load("../../examples/checkout-v2.yaml")
	if err != nil {
		t.Fatalf("the example plan must validate: %v", err)
	}
	if p.ID != "checkout-v2" || len(p.Metrics) != 3 || len(p.Stages) != 3 {
		t.Errorf("example decoded wrongly: %+v", p)
	}
	if _, err := Load("testdata/does-not-exist.yaml"); err == nil || !strings.Contains(err.Error(), "read plan") {
		t.Errorf("Load of a missing file = %v, want a read error", err)
	}
}
