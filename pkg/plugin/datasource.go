// Package plugin is the Grafana data source: one instance per configured
// data source, built from its settings, answering queries by calling the
// engine over the configured sources and turning the answers into frames.
// It never computes statistics itself.
package plugin

import (
	"context"
	"net/http"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// PluginID is the data source's id in plugin.json.
const PluginID = "liftgate-rollout-datasource"

// planSource is where plans and the exporter's own results come from: the
// exporter, so the plugin and the exporter never disagree about a plan.
type planSource interface {
	ListPlans(ctx context.Context) ([]exporterclient.PlanSummary, error)
	Plan(ctx context.Context, id string) (*plan.Plan, string, error)
	LastResult(ctx context.Context, id string) (*engine.Result, error)
}

// Datasource is one configured data source. Everything it holds is built
// from that data source's settings alone; Grafana builds a new one when the
// settings change and disposes of the old one.
type Datasource struct {
	cfg       *models.DataSourceConfig
	plans     planSource
	events    events.Source
	telemetry telemetry.Source // nil when no Prometheus URL is configured
	http      *http.Client
	cache     *resultCache
	queries   *datasource.QueryTypeMux
	resources backend.CallResourceHandler
	// now is the clock; tests pin it.
	now func() time.Time
	// configErr, when set, is why the settings cannot work; every call
	// answers with it (see misconfigured).
	configErr error
}

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// NewDatasource is the instance factory datasource.Manage calls for each
// data source (and again after each settings change). Settings that cannot
// work do not fail the factory, which Grafana would only report as a failed
// request: the instance answers every query, health check and resource
// with what is wrong, by setting name.
func NewDatasource(ctx context.Context, settings backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	ds, err := newFromSettings(settings)
	if err != nil {
		return misconfigured(err), nil
	}
	return ds, nil
}

// newFromSettings builds a working instance or says why it cannot.
func newFromSettings(settings backend.DataSourceInstanceSettings) (*Datasource, error) {
	cfg, err := models.LoadSettings(settings)
	if err != nil {
		return nil, err
	}
	// One transport per instance: disposing of it closes only its own
	// connections, and nothing is shared with other data sources.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	hc := &http.Client{Timeout: cfg.Timeout, Transport: transport}

	plans, err := exporterclient.NewWithHTTPClient(cfg.Settings.ExporterURL, cfg.Secrets.ExporterToken, hc)
	if err != nil {
		return nil, &models.SettingsError{Field: "exporterUrl", Message: err.Error()}
	}
	evs, err := openEvents(cfg, hc)
	if err != nil {
		return nil, err
	}
	tel, err := openTelemetry(cfg)
	if err != nil {
		_ = evs.Close()
		return nil, err
	}
	return newDatasource(cfg, plans, evs, tel, hc), nil
}

// misconfigured is an instance whose settings cannot work.
func misconfigured(err error) *Datasource {
	return &Datasource{configErr: err, now: time.Now}
}

// newDatasource wires an instance from its parts (tests pass fakes).
func newDatasource(cfg *models.DataSourceConfig, plans planSource, evs events.Source, tel telemetry.Source, hc *http.Client) *Datasource {
	ds := &Datasource{
		cfg:       cfg,
		plans:     plans,
		events:    evs,
		telemetry: tel,
		http:      hc,
		cache:     newResultCache(cfg.CacheTTL),
		now:       time.Now,
	}
	ds.queries = ds.queryMux()
	ds.resources = ds.resourceHandler()
	return ds
}
