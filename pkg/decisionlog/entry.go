package decisionlog

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
)

// Kind says what an entry records.
type Kind string

// Entry kinds.
const (
	KindVerdictChange  Kind = "verdict_change"
	KindDecisionChange Kind = "decision_change"
	KindPlanChange     Kind = "plan_change"
	KindStageChange    Kind = "stage_change"
	KindHumanDecision  Kind = "human_decision"
	// KindLateDataChange is a verdict change found by an evaluation that is
	// not later than the one before it: data arrived late for a time that
	// had already been judged.
	KindLateDataChange Kind = "late_data_change"
)

// Kinds lists every kind, in the order the documentation gives them.
func Kinds() []Kind {
	return []Kind{KindVerdictChange, KindDecisionChange, KindPlanChange, KindStageChange, KindHumanDecision, KindLateDataChange}
}

// Actions a person can record.
const (
	HumanProceed  = "proceed"
	HumanHold     = "hold"
	HumanRollback = "rollback"
	HumanOverride = "override"
)

// HumanActions lists the actions a human decision may take.
func HumanActions() []string {
	return []string{HumanProceed, HumanHold, HumanRollback, HumanOverride}
}

// Entry is one record of the log. Machine entries carry the evidence they
// were derived from (Result for a verdict, Decision for a decision or stage);
// human entries carry Human.
type Entry struct {
	// ID is assigned by the log on append; it increases with every entry.
	ID uint64 `json:"id"`
	// Time is when the recorded fact holds: the evaluation time for machine
	// entries, the moment the decision was submitted for human ones.
	Time time.Time `json:"time"`
	// RecordedAt is when the log stored the entry; retention uses it.
	RecordedAt time.Time `json:"recorded_at"`
	Kind       Kind      `json:"kind"`
	Experiment string    `json:"experiment"`
	// PlanHash names the plan version in force: every entry has one.
	PlanHash string `json:"plan_hash"`
	Stage    string `json:"stage,omitempty"`
	// Metric, Arm and Role identify the verdict of a verdict or late-data
	// change (and optionally the verdict a human override is about).
	Metric string `json:"metric,omitempty"`
	Arm    string `json:"arm,omitempty"`
	Role   string `json:"role,omitempty"`
	// From and To are the old and new value: verdict, decision action,
	// stage name or plan hash. From is empty for the first value seen.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Result is the comparison behind a verdict change, sufficient
	// statistics included, so a reader can recompute it.
	Result *engine.MetricResult `json:"result,omitempty"`
	// Decision is the stage decision in force after the entry.
	Decision *engine.Decision `json:"decision,omitempty"`
	Reasons  []string         `json:"reasons"`
	Plan     *PlanChange      `json:"plan,omitempty"`
	Human    *HumanDecision   `json:"human,omitempty"`
}

// PlanChange describes a new plan version.
type PlanChange struct {
	OldHash string `json:"old_hash,omitempty"`
	NewHash string `json:"new_hash"`
	// Changed lists the plan's top-level fields that differ from the
	// previous version (all of them for the first version seen).
	Changed []string `json:"changed"`
	// Fields fingerprints each top-level field of the new version, so the
	// next change can be compared even after a restart.
	Fields map[string]string `json:"fields"`
}

// HumanDecision is a decision a person recorded.
type HumanDecision struct {
	Who    string `json:"who"`
	Action string `json:"action"`
	Why    string `json:"why"`
	Link   string `json:"link,omitempty"`
	// Authenticated is true when the request carried the API bearer token
	// the exporter requires; Who is then attributed to a token holder.
	Authenticated bool `json:"authenticated"`
}

// Limits on human text, so one request cannot bloat the log.
const (
	maxWhoLen  = 200
	maxWhyLen  = 4000
	maxLinkLen = 2000
)

// Validate checks a human decision, naming the field at fault.
func (h *HumanDecision) Validate() error {
	switch {
	case strings.TrimSpace(h.Who) == "":
		return fmt.Errorf("who: expected the name of the person deciding")
	case len(h.Who) > maxWhoLen:
		return fmt.Errorf("who: at most %d bytes", maxWhoLen)
	case strings.TrimSpace(h.Why) == "":
		return fmt.Errorf("why: expected the reason for the decision")
	case len(h.Why) > maxWhyLen:
		return fmt.Errorf("why: at most %d bytes", maxWhyLen)
	case len(h.Link) > maxLinkLen:
		return fmt.Errorf("link: at most %d bytes", maxLinkLen)
	}
	ok := false
	for _, a := range HumanActions() {
		ok = ok || h.Action == a
	}
	if !ok {
		return fmt.Errorf("action: %q is not one of %s", h.Action, strings.Join(HumanActions(), ", "))
	}
	if h.Link != "" {
		u, err := url.Parse(h.Link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("link: %q is not an http(s) URL", h.Link)
		}
	}
	return nil
}

// Validate checks what every entry needs before it is stored.
func (e *Entry) Validate() error {
	known := false
	for _, k := range Kinds() {
		known = known || e.Kind == k
	}
	switch {
	case !known:
		return fmt.Errorf("kind: %q is not a decision log kind", e.Kind)
	case e.Experiment == "":
		return fmt.Errorf("experiment: missing")
	case e.PlanHash == "":
		return fmt.Errorf("plan_hash: missing (every entry names the plan version in force)")
	case e.Time.IsZero():
		return fmt.Errorf("time: missing")
	case e.Kind == KindHumanDecision && e.Human == nil:
		return fmt.Errorf("human: missing for a human decision")
	case e.Kind == KindPlanChange && e.Plan == nil:
		return fmt.Errorf("plan: missing for a plan change")
	}
	if e.Human != nil {
		return e.Human.Validate()
	}
	return nil
}

// Filter selects entries; zero fields select everything.
type Filter struct {
	Experiment string
	Kind       Kind
	// Since keeps entries whose Time is at or after it.
	Since time.Time
	// AfterID keeps entries whose ID is greater: a reader that has seen
	// the log up to an ID reads only what was appended since.
	AfterID uint64
}

// Match reports whether e passes the filter.
func (f Filter) Match(e *Entry) bool {
	return (f.Experiment == "" || e.Experiment == f.Experiment) &&
		(f.Kind == "" || e.Kind == f.Kind) &&
		(f.Since.IsZero() || !e.Time.Before(f.Since)) &&
		(f.AfterID == 0 || e.ID > f.AfterID)
}
