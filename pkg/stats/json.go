package stats

import (
	"encoding/json"
	"math"
)

// comparisonJSON has Comparison's fields with DF as a pointer, so that the
// +Inf df of z-based inference, which JSON cannot represent, can be written
// as null.
type comparisonJSON struct {
	Control         ArmSummary `json:"control"`
	Treatment       ArmSummary `json:"treatment"`
	Absolute        Interval   `json:"absolute"`
	Relative        Interval   `json:"relative"`
	RelativeDefined bool       `json:"relative_defined"`
	DF              *float64   `json:"df"` // null = +Inf (normal-based)
	PValue          float64    `json:"p_value"`
	Verdict         Verdict    `json:"verdict"`
	Reason          string     `json:"reason"`
}

// MarshalJSON writes an infinite DF (z-based inference) as null.
func (c Comparison) MarshalJSON() ([]byte, error) {
	j := comparisonJSON{
		Control: c.Control, Treatment: c.Treatment,
		Absolute: c.Absolute, Relative: c.Relative, RelativeDefined: c.RelativeDefined,
		PValue: c.PValue, Verdict: c.Verdict, Reason: c.Reason,
	}
	if !math.IsInf(c.DF, 1) {
		df := c.DF
		j.DF = &df
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes: a null DF is +Inf.
func (c *Comparison) UnmarshalJSON(data []byte) error {
	var j comparisonJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*c = Comparison{
		Control: j.Control, Treatment: j.Treatment,
		Absolute: j.Absolute, Relative: j.Relative, RelativeDefined: j.RelativeDefined,
		DF: math.Inf(1), PValue: j.PValue, Verdict: j.Verdict, Reason: j.Reason,
	}
	if j.DF != nil {
		c.DF = *j.DF
	}
	return nil
}
