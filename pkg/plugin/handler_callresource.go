package plugin

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/liftgate/liftgate/pkg/models"
)

// Resource paths the editors call (relative to
// /api/datasources/uid/<uid>/resources/):
//
//	GET experiments                       the plans the exporter evaluates
//	GET experiments/{id}/metrics          one plan's metrics
//	GET experiments/{id}/arms             its arms (control included)
//	GET experiments/{id}/segments         its segment properties
//	GET experiments/{id}/stages           its rollout stages
//	GET status                            the exporter's plans with stage, state and decision
//
// Lists are JSON arrays of {"label", "value"}, what @grafana/ui's Select
// takes; errors are {"error": "..."} with a 4xx (the request's fault) or
// 502 (a source's) status.
const (
	ResourceExperiments = "experiments"
	ResourceStatus      = "status"
)

// ResourceChoice is one option in an editor's list.
type ResourceChoice struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// ExporterStatus is the body of GET status.
type ExporterStatus struct {
	ExporterURL string `json:"exporterUrl"`
	EventStore  string `json:"eventStore"`
	Plans       any    `json:"plans"`
}

// CallResource serves the editors' resources.
func (ds *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	if ds.configErr != nil {
		return httpadapter.New(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeClassifiedError(w, ds.configErr)
		})).CallResource(ctx, req, sender)
	}
	return ds.resources.CallResource(ctx, req, sender)
}

func (ds *Datasource) resourceHandler() backend.CallResourceHandler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /"+ResourceExperiments, func(w http.ResponseWriter, r *http.Request) {
		ds.serveChoices(w, r, models.VariableExperiments, "")
	})
	mux.HandleFunc("GET /"+ResourceExperiments+"/{id}/{kind}", func(w http.ResponseWriter, r *http.Request) {
		kind := r.PathValue("kind")
		switch kind {
		case models.VariableMetrics, models.VariableArms, models.VariableSegments, models.VariableStages:
			ds.serveChoices(w, r, kind, r.PathValue("id"))
		default:
			writeResourceError(w, http.StatusNotFound, "unknown list "+kind+": expected metrics, arms, segments or stages")
		}
	})
	mux.HandleFunc("GET /"+ResourceStatus, func(w http.ResponseWriter, r *http.Request) {
		list, err := ds.plans.ListPlans(r.Context())
		if err != nil {
			writeClassifiedError(w, &sourceError{source: "liftgate exporter at " + ds.cfg.Settings.ExporterURL, err: err})
			return
		}
		writeResourceJSON(w, http.StatusOK, ExporterStatus{ExporterURL: ds.cfg.Settings.ExporterURL, EventStore: ds.events.Name(), Plans: list})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeResourceError(w, http.StatusNotFound, "no resource "+r.Method+" "+r.URL.Path)
	})
	return httpadapter.New(mux)
}

func (ds *Datasource) serveChoices(w http.ResponseWriter, r *http.Request, kind, experiment string) {
	choices, err := ds.choices(r.Context(), kind, experiment)
	if err != nil {
		writeClassifiedError(w, err)
		return
	}
	out := make([]ResourceChoice, len(choices))
	for i, c := range choices {
		out[i] = ResourceChoice{Label: c.Text, Value: c.Value}
	}
	writeResourceJSON(w, http.StatusOK, out)
}

// writeClassifiedError answers with the status the error's class implies.
func writeClassifiedError(w http.ResponseWriter, err error) {
	status, _ := classify(err)
	writeResourceError(w, int(status), err.Error())
}

func writeResourceError(w http.ResponseWriter, status int, msg string) {
	writeResourceJSON(w, status, map[string]string{"error": msg})
}

func writeResourceJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
