package decisionlog

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Library is the regression library: the record of rollouts with a
// summary across them, as `liftgate history export` writes it.
type Library struct {
	Rollouts []Rollout `json:"rollouts"`
	Summary  Summary   `json:"summary"`
}

// NewLibrary derives the rollouts from entries, keeping only finished ones
// unless unfinished is set.
func NewLibrary(entries []Entry, unfinished bool) Library {
	rollouts := []Rollout{}
	for _, r := range Histories(entries) {
		if r.Finished || unfinished {
			rollouts = append(rollouts, r)
		}
	}
	return Library{Rollouts: rollouts, Summary: Summarize(rollouts)}
}

// WriteJSON writes the library as indented JSON.
func (l Library) WriteJSON(out io.Writer) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(l)
}

// historyCSVHeader is one row per rollout; triggers and indicators are
// flattened to "metric/arm=verdict" lists separated by ";".
var historyCSVHeader = []string{
	"experiment", "outcome", "first_entry", "last_entry", "plan_hashes", "rollbacks", "human_decisions",
	"first_harmful", "first_rollback", "restored", "detection_to_rollback_seconds", "time_to_restore_seconds",
	"triggers", "indicators",
}

// WriteCSV writes one row per rollout (no summary).
func (l Library) WriteCSV(out io.Writer) error {
	w := csv.NewWriter(out)
	if err := w.Write(historyCSVHeader); err != nil {
		return err
	}
	for _, r := range l.Rollouts {
		row := []string{
			r.Experiment, r.Outcome, stamp(&r.First), stamp(&r.Last), strings.Join(r.PlanHashes, ";"),
			strconv.Itoa(r.Rollbacks), strconv.Itoa(r.HumanDecisions),
			stamp(r.FirstHarmful), stamp(r.FirstRollback), stamp(r.Restored),
			seconds(r.DetectionToRollbackSeconds), seconds(r.TimeToRestoreSeconds),
			indicatorList(r.Triggers), indicatorList(r.Indicators),
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func seconds(s *float64) string {
	if s == nil {
		return ""
	}
	return strconv.FormatFloat(*s, 'f', -1, 64)
}

func indicatorList(list []Indicator) string {
	parts := make([]string, len(list))
	for i, in := range list {
		parts[i] = fmt.Sprintf("%s/%s=%s", in.Metric, in.Arm, in.Verdict)
	}
	return strings.Join(parts, ";")
}
