package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// DecisionLogReport is what the exporter's decision log held at the end of
// the run, and what Prometheus scraped of the outcome metrics derived from
// it: the two must agree.
type DecisionLogReport struct {
	Entries int                      `json:"entries"`
	Kinds   map[decisionlog.Kind]int `json:"kinds"`
	// Note is the on-call engineer's entry confirming the rollback.
	Note *decisionlog.Entry `json:"note,omitempty"`
	// Rollout is the history derived from the log (decisionlog.Histories).
	Rollout *decisionlog.Rollout `json:"rollout,omitempty"`
	// Scraped are the liftgate_rollout_* series of the experiment as
	// Prometheus stored them from the exporter, by metric name (the
	// outcome metric by outcome).
	Scraped map[string]float64 `json:"scraped"`
	// PlanHashes are the plan versions the entries name.
	PlanHashes []string `json:"plan_hashes"`
}

// OnCall is who the demo's on-call engineer is in the decision log.
const OnCall = "oncall@demo"

// recordOnCallNote is the on-call engineer confirming the rollback in the
// decision log once the page arrived and the hook rolled back, as they
// would with `liftgate note`.
func (r *run) recordOnCallNote(ctx context.Context, client *exporterclient.Client) {
	e, err := client.RecordDecision(ctx, exporterclient.HumanDecisionRequest{
		Experiment: Experiment, Action: decisionlog.HumanRollback, Who: OnCall,
		Why:  "paged by LiftgateRollbackDecision; the rollback hook took the treatment out; confirmed the errors on the service dashboard",
		Link: "http://" + r.addrs.am + "/#/alerts",
	})
	if err != nil {
		r.report.Problems = append(r.report.Problems, "recording the on-call note: "+err.Error())
		return
	}
	r.tl.add(e.Time, "on-call", "%s recorded %s in the decision log (entry %d)", e.Human.Who, e.Human.Action, e.ID)
}

// collectDecisionLog reads the experiment's decision log, writes it and
// the rollout history into the data directory (exporter/decisions.json,
// history.json, history.csv: what `liftgate history export` writes) and
// fills the report, with the outcome series Prometheus scraped.
func (r *run) collectDecisionLog(ctx context.Context, client *exporterclient.Client) error {
	entries, err := client.Decisions(ctx, exporterclient.DecisionQuery{Experiment: Experiment})
	if err != nil {
		return fmt.Errorf("reading the decision log: %w", err)
	}
	rep := &DecisionLogReport{Entries: len(entries), Kinds: map[decisionlog.Kind]int{}, Scraped: map[string]float64{}}
	hashes := map[string]bool{}
	for i, e := range entries {
		rep.Kinds[e.Kind]++
		if !hashes[e.PlanHash] {
			hashes[e.PlanHash] = true
			rep.PlanHashes = append(rep.PlanHashes, e.PlanHash)
		}
		if e.Kind == decisionlog.KindHumanDecision && e.Human != nil && e.Human.Who == OnCall {
			rep.Note = &entries[i]
		}
	}
	lib := decisionlog.NewLibrary(entries, true)
	if len(lib.Rollouts) == 1 {
		rep.Rollout = &lib.Rollouts[0]
	}
	if err := writeJSON(filepath.Join(r.cfg.DataDir, "exporter", "decisions.json"), entries); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(r.cfg.DataDir, "history.json"), lib); err != nil {
		return err
	}
	var csv bytes.Buffer
	if err := lib.WriteCSV(&csv); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.cfg.DataDir, "history.csv"), csv.Bytes(), 0o644); err != nil {
		return err
	}
	for _, name := range []string{"liftgate_rollout_rollbacks", "liftgate_rollout_detection_to_rollback_seconds",
		"liftgate_rollout_time_to_restore_seconds"} {
		if v, ok, err := r.promInstant(ctx, name+`{experiment="`+Experiment+`"}`); err != nil {
			return err
		} else if ok {
			rep.Scraped[name] = v
		}
	}
	for _, o := range []string{"in_progress", "rolled_back", "completed"} {
		if v, ok, err := r.promInstant(ctx, `liftgate_rollout_outcome{experiment="`+Experiment+`",outcome="`+o+`"}`); err != nil {
			return err
		} else if ok {
			rep.Scraped["liftgate_rollout_outcome/"+o] = v
		}
	}
	r.report.DecisionLog = rep
	return nil
}

// promInstant evaluates a query (built by the demo from constants) at now
// and returns its single sample, if any.
func (r *run) promInstant(ctx context.Context, query string) (float64, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.addrs.prom+"/api/v1/query?query="+url.QueryEscape(query), nil)
	if err != nil {
		return 0, false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false, fmt.Errorf("querying Prometheus for %s: %w", query, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		return 0, false, fmt.Errorf("querying Prometheus for %s: HTTP %d (%v)", query, resp.StatusCode, err)
	}
	if len(body.Data.Result) != 1 {
		return 0, false, nil
	}
	s, _ := body.Data.Result[0].Value[1].(string)
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil, nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
