package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/liftgate/liftgate/pkg/events"
)

// healthTimeout bounds each source's check; a source slower than this is
// reported as failing rather than hanging the settings page.
const healthTimeout = 15 * time.Second

// SourceHealth is one source's check in CheckHealth's JSON details.
type SourceHealth struct {
	Source  string `json:"source"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// CheckHealth tests every configured source and names each failing one with
// its reason. Failures are answered as an error status with a nil error:
// the settings page shows the message.
func (ds *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if ds.configErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: "FAILED " + ds.configErr.Error()}, nil
	}
	checks := []func(context.Context) SourceHealth{ds.checkExporter, ds.checkEvents}
	if ds.telemetry != nil {
		checks = append(checks, ds.checkPrometheus)
	}
	results := make([]SourceHealth, len(checks))
	var wg sync.WaitGroup
	for i, check := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, min(healthTimeout, ds.cfg.Timeout))
			defer cancel()
			results[i] = check(cctx)
		}()
	}
	wg.Wait()

	status := backend.HealthStatusOk
	var lines []string
	for _, r := range results {
		mark := "OK"
		if !r.OK {
			mark, status = "FAILED", backend.HealthStatusError
		}
		lines = append(lines, fmt.Sprintf("%s %s: %s", mark, r.Source, r.Message))
	}
	details, _ := json.Marshal(map[string]any{"sources": results})
	return &backend.CheckHealthResult{Status: status, Message: strings.Join(lines, "\n"), JSONDetails: details}, nil
}

// checkExporter lists the plans: the exporter is reachable, the token is
// accepted, and there is something to query.
func (ds *Datasource) checkExporter(ctx context.Context) SourceHealth {
	h := SourceHealth{Source: "liftgate exporter (plans) at " + ds.cfg.Settings.ExporterURL}
	list, err := ds.plans.ListPlans(ctx)
	if err != nil {
		h.Message = err.Error()
		return h
	}
	h.OK = true
	h.Message = fmt.Sprintf("%d plan(s) evaluated", len(list))
	if len(list) == 0 {
		h.Message += "; add plan files to the exporter's plans directory to query experiments"
	}
	return h
}

// checkEvents runs a real, tiny query (one minute, an experiment that does
// not exist): it proves the store is reachable, the credentials work and
// the mapped table and columns exist.
func (ds *Datasource) checkEvents(ctx context.Context) SourceHealth {
	h := SourceHealth{Source: "event store " + ds.events.Name()}
	now := ds.now().UTC()
	scope := events.Scope{
		Experiment: "liftgate-health-check",
		Unit:       "user_id",
		Exposure:   events.Exposure{Event: "liftgate_health_check", ExperimentProperty: "experiment", ArmProperty: "arm"},
		Arms:       []string{"a", "b"},
		Start:      now.Add(-time.Minute),
		End:        now,
	}
	if _, err := ds.events.Exposures(ctx, scope); err != nil {
		h.Message = err.Error()
		return h
	}
	h.OK = true
	h.Message = "query succeeded"
	return h
}

// checkPrometheus asks Prometheus a trivial query.
func (ds *Datasource) checkPrometheus(ctx context.Context) SourceHealth {
	h := SourceHealth{Source: "Prometheus at " + ds.cfg.Settings.PrometheusURL}
	if err := checkTelemetry(ctx, ds.telemetry, ds.now().UTC()); err != nil {
		h.Message = err.Error()
		return h
	}
	h.OK = true
	h.Message = "query succeeded"
	return h
}
