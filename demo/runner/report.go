package runner

import (
	"time"

	"github.com/liftgate/liftgate/demo/sim"
)

// Report is what a run saw, written to report.json in the data directory.
// Times are wall-clock; Offset fields are seconds since the rollout began.
type Report struct {
	Scenario   string    `json:"scenario"` // "regression" or "aa"
	Experiment string    `json:"experiment"`
	DataDir    string    `json:"data_dir"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	// Telemetry says whether the plan had prometheus (telemetry) metrics.
	Telemetry bool `json:"telemetry"`

	Injection     *Injection         `json:"injection,omitempty"`
	Verdicts      []VerdictChange    `json:"verdicts"`
	Decisions     []DecisionChange   `json:"decisions"`
	Alerts        []AlertChange      `json:"alerts"`
	Notifications []sim.Notification `json:"notifications"`
	RollbackAt    *time.Time         `json:"rollback_at,omitempty"`
	Sim           sim.Stats          `json:"sim"`
	Timeline      []Entry            `json:"timeline"`
	// DecisionLog is the exporter's decision log at the end of the run.
	DecisionLog *DecisionLogReport `json:"decision_log,omitempty"`
	// Problems are things that went wrong without stopping the run (a
	// rejected batch, an unreachable API); a healthy run has none.
	Problems []string `json:"problems,omitempty"`
}

// Injection is when and where the regression appeared.
type Injection struct {
	At    time.Time `json:"at"`
	Stage string    `json:"stage"`
}

// VerdictChange is a metric's verdict in an arm changing between two
// evaluations of the exporter.
type VerdictChange struct {
	At     time.Time `json:"at"`
	Metric string    `json:"metric"`
	Arm    string    `json:"arm"`
	Role   string    `json:"role"`
	Kind   string    `json:"kind"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Stage  string    `json:"stage"`
	Effect string    `json:"effect"`
}

// DecisionChange is the stage decision changing.
type DecisionChange struct {
	At      time.Time `json:"at"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Stage   string    `json:"stage"`
	Reasons []string  `json:"reasons"`
}

// AlertChange is a Prometheus alert changing state (pending, firing,
// inactive once it is gone).
type AlertChange struct {
	At          time.Time         `json:"at"`
	Name        string            `json:"name"`
	State       string            `json:"state"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Entry is one line of the timeline.
type Entry struct {
	At     time.Time `json:"at"`
	Offset float64   `json:"offset_seconds"`
	Source string    `json:"source"`
	Text   string    `json:"text"`
}

// FirstHarmful is the first verdict that turned harmful, if any.
func (r *Report) FirstHarmful() *VerdictChange {
	for i := range r.Verdicts {
		if r.Verdicts[i].To == "harmful" {
			return &r.Verdicts[i]
		}
	}
	return nil
}

// FirstDecision is the first change of the decision to action, if any.
func (r *Report) FirstDecision(action string) *DecisionChange {
	for i := range r.Decisions {
		if r.Decisions[i].To == action {
			return &r.Decisions[i]
		}
	}
	return nil
}

// FirstAlert is the first time the named alert reached state, if it did.
func (r *Report) FirstAlert(name, state string) *AlertChange {
	for i := range r.Alerts {
		if r.Alerts[i].Name == name && r.Alerts[i].State == state {
			return &r.Alerts[i]
		}
	}
	return nil
}

// Fired lists the alerts that reached firing, in order, once each.
func (r *Report) Fired() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range r.Alerts {
		if a.State == "firing" && !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a.Name)
		}
	}
	return out
}

// Pages counts the notifications sent to the pager.
func (r *Report) Pages() int {
	n := 0
	for _, x := range r.Notifications {
		if x.Hook == "page" && x.Status == "firing" {
			n++
		}
	}
	return n
}
