package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// watcher follows the exporter's latest result and Prometheus' alerts and
// turns every change into a timeline entry and a report record.
type watcher struct {
	exporter *exporterclient.Client
	promURL  string
	http     *http.Client
	tl       *timeline

	mu        sync.Mutex
	report    *Report
	verdicts  map[string]string // metric/arm -> verdict
	decision  string
	evaluated time.Time
	last      *engine.Result
	alerts    map[string]AlertChange // fingerprint -> last state
	problems  map[string]bool
}

func newWatcher(exporter *exporterclient.Client, promURL string, tl *timeline, report *Report) *watcher {
	return &watcher{
		exporter: exporter, promURL: promURL, http: &http.Client{Timeout: 5 * time.Second}, tl: tl, report: report,
		verdicts: map[string]string{}, alerts: map[string]AlertChange{}, problems: map[string]bool{},
	}
}

// problem records a failure once per distinct message.
func (w *watcher) problem(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.problems[msg] {
		w.problems[msg] = true
		w.report.Problems = append(w.report.Problems, msg)
		w.tl.add(time.Now(), "problem", "%s", msg)
	}
}

// setInjection records when and where the regression appeared.
func (w *watcher) setInjection(inj *Injection) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.report.Injection = inj
}

// pollExporter reads the exporter's latest evaluation and records verdict
// and decision changes, stamped with the evaluation time (the instant the
// data ran up to), with their evidence.
func (w *watcher) pollExporter(ctx context.Context) {
	res, err := w.exporter.LastResult(ctx, Experiment)
	if errors.Is(err, exporterclient.ErrNoResult) || errors.Is(err, exporterclient.ErrNotFound) {
		return // not evaluated yet
	}
	if err != nil {
		if ctx.Err() == nil {
			w.problem("reading the exporter's result: %v", err)
		}
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !res.EvaluatedAt.After(w.evaluated) {
		return
	}
	w.evaluated = res.EvaluatedAt
	w.last = res
	stage := res.Decision.Stage
	for _, r := range res.Results {
		if r.SegmentValue != nil {
			continue
		}
		key := r.Metric + "/" + r.Arm
		now := string(r.Verdict)
		before, seen := w.verdicts[key]
		if seen && before == now {
			continue
		}
		w.verdicts[key] = now
		if !seen && now == "insufficient_data" {
			continue // the starting point, not news
		}
		if !seen {
			before = "insufficient_data"
		}
		vc := VerdictChange{At: res.EvaluatedAt, Metric: r.Metric, Arm: r.Arm, Role: r.Role, Kind: r.Kind,
			From: before, To: now, Stage: stage, Effect: describe(r)}
		w.report.Verdicts = append(w.report.Verdicts, vc)
		w.tl.add(vc.At, "verdict", "%s (%s %s) in %s: %s -> %s, %s (stage %s)", vc.Metric, vc.Role, vc.Kind, vc.Arm, vc.From, vc.To, vc.Effect, stage)
	}
	if a := res.Decision.Action; a != w.decision {
		dc := DecisionChange{At: res.EvaluatedAt, From: w.decision, To: a, Stage: stage, Reasons: res.Decision.Reasons}
		if dc.From == "" {
			dc.From = "none"
		}
		w.decision = a
		w.report.Decisions = append(w.report.Decisions, dc)
		w.tl.add(dc.At, "decision", "stage %s: %s -> %s: %s", stage, dc.From, dc.To, summarizeReasons(dc.Reasons))
	}
}

// describe renders a result's effect with its interval, relative when
// defined.
func describe(r engine.MetricResult) string {
	if r.Relative != nil {
		return fmt.Sprintf("lift %+.1f%% [%+.1f%%, %+.1f%%]", 100*r.Relative.Estimate, 100*r.Relative.CILower, 100*r.Relative.CIUpper)
	}
	return fmt.Sprintf("effect %+.4g [%+.4g, %+.4g]", r.Absolute.Estimate, r.Absolute.CILower, r.Absolute.CIUpper)
}

// promAlert is one alert of Prometheus' /api/v1/alerts.
type promAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
	ActiveAt    time.Time         `json:"activeAt"`
}

// pollAlerts reads Prometheus' alerts and records each state change.
func (w *watcher) pollAlerts(ctx context.Context) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.promURL+"/api/v1/alerts", nil)
	resp, err := w.http.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			w.problem("reading Prometheus' alerts: %v", err)
		}
		return
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Data   struct {
			Alerts []promAlert `json:"alerts"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		w.problem("Prometheus' /api/v1/alerts answered HTTP %d (%v)", resp.StatusCode, err)
		return
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	present := map[string]bool{}
	for _, a := range body.Data.Alerts {
		fp := fingerprint(a.Labels)
		present[fp] = true
		if prev, ok := w.alerts[fp]; ok && prev.State == a.State {
			continue
		}
		ac := AlertChange{At: now, Name: a.Labels["alertname"], State: a.State, Labels: a.Labels, Annotations: a.Annotations}
		w.alerts[fp] = ac
		w.report.Alerts = append(w.report.Alerts, ac)
		w.tl.add(now, "alert", "%s %s %s%s", ac.Name, strings.ToUpper(ac.State), labelSummary(a.Labels), evidence(a.Annotations, a.State))
	}
	for fp, prev := range w.alerts {
		if !present[fp] && prev.State != "inactive" {
			ac := AlertChange{At: now, Name: prev.Name, State: "inactive", Labels: prev.Labels}
			w.alerts[fp] = ac
			w.report.Alerts = append(w.report.Alerts, ac)
			w.tl.add(now, "alert", "%s resolved %s", ac.Name, labelSummary(prev.Labels))
		}
	}
}

func fingerprint(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + labels[k] + ",")
	}
	return b.String()
}

// labelSummary shows the labels that say what an alert is about.
func labelSummary(labels map[string]string) string {
	var parts []string
	for _, k := range []string{"severity", "experiment", "metric", "arm", "action"} {
		if v := labels[k]; v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// evidence shows a firing alert's evidence annotations on the timeline.
func evidence(ann map[string]string, state string) string {
	if state != "firing" {
		return ""
	}
	var parts []string
	for _, k := range []string{"stage", "effect", "interval", "evidence", "telemetry", "behaviour"} {
		if v := ann[k]; v != "" {
			parts = append(parts, k+": "+v)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "\n" + strings.Repeat(" ", 24) + strings.Join(parts, " | ")
}

// lastResult is the latest evaluation seen.
func (w *watcher) lastResult() *engine.Result {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// summarizeReasons keeps the timeline readable: the first two reasons and
// how many more there are (report.json has them all).
func summarizeReasons(reasons []string) string {
	if len(reasons) <= 2 {
		return strings.Join(reasons, "; ")
	}
	return fmt.Sprintf("%s; (%d more)", strings.Join(reasons[:2], "; "), len(reasons)-2)
}
