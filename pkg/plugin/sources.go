package plugin

import (
	"context"
	"net/http"
	"sync"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/clickhouse"
	"github.com/liftgate/liftgate/pkg/events/postgres"
	"github.com/liftgate/liftgate/pkg/events/remote"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
)

// openEvents builds the event source the settings name. SQL stores are
// opened lazily, on first use: a database that is down when Grafana creates
// the instance must not make the whole data source unusable, and
// CheckHealth must still be able to say which source fails.
func openEvents(cfg *models.DataSourceConfig, hc *http.Client) (events.Source, error) {
	st := cfg.Settings
	switch st.EventStore {
	case models.EventStoreClickHouse:
		chCfg := clickhouseConfig(cfg)
		if err := chCfg.Validate(); err != nil {
			return nil, &models.SettingsError{Field: "clickhouse", Message: err.Error()}
		}
		return &lazySource{name: "clickhouse", open: func(ctx context.Context) (events.Source, error) {
			return clickhouse.Open(ctx, chCfg)
		}}, nil
	case models.EventStorePostgres:
		pgCfg := postgresConfig(cfg)
		if err := pgCfg.Validate(); err != nil {
			return nil, &models.SettingsError{Field: "postgres", Message: err.Error()}
		}
		return &lazySource{name: "postgres", open: func(ctx context.Context) (events.Source, error) {
			return postgres.Open(ctx, pgCfg)
		}}, nil
	default:
		c, err := remote.NewClient(st.ExporterURL, remote.ClientOptions{BearerToken: cfg.Secrets.ExporterToken, HTTPClient: hc})
		if err != nil {
			return nil, &models.SettingsError{Field: "exporterUrl", Message: err.Error()}
		}
		return c, nil
	}
}

// clickhouseConfig maps the settings to the store's configuration.
func clickhouseConfig(cfg *models.DataSourceConfig) clickhouse.Config {
	out := clickhouse.Config{
		Password:     clickhouse.Secret(cfg.Secrets.ClickHousePassword),
		Mapping:      mapping(cfg.Settings.Mapping),
		QueryTimeout: plan.Duration(cfg.Timeout),
	}
	if cfg.Secrets.ClickHouseDSN != "" {
		out.DSN = clickhouse.DSN(cfg.Secrets.ClickHouseDSN)
		return out
	}
	if s := cfg.Settings.ClickHouse; s != nil {
		out.Addr, out.Database, out.User = s.Addr, s.Database, s.User
		out.TLS = clickhouse.TLS{Enabled: s.TLS, CAFile: s.TLSCAFile, ServerName: s.TLSServerName, InsecureSkipVerify: s.InsecureSkipVerify}
	}
	return out
}

// postgresConfig maps the settings to the store's configuration.
func postgresConfig(cfg *models.DataSourceConfig) postgres.Config {
	out := postgres.Config{
		Password:     postgres.Secret(cfg.Secrets.PostgresPassword),
		Mapping:      mapping(cfg.Settings.Mapping),
		QueryTimeout: plan.Duration(cfg.Timeout),
	}
	if cfg.Secrets.PostgresDSN != "" {
		out.DSN = postgres.ConnString(cfg.Secrets.PostgresDSN)
		return out
	}
	if s := cfg.Settings.Postgres; s != nil {
		out.Addr, out.Database, out.User = s.Addr, s.Database, s.User
		out.TLS = postgres.TLS{Mode: s.TLSMode, CAFile: s.TLSCAFile}
	}
	return out
}

// mapping fills the fields the settings leave empty from liftgate's own
// schema, so a user whose table differs in one column names only that one.
func mapping(s *models.MappingSettings) events.Mapping {
	if s == nil {
		return events.Mapping{} // the stores' default: liftgate's schema
	}
	m := events.LiftgateMapping()
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&m.Table, s.Table)
	set(&m.Columns.ID, s.IDColumn)
	set(&m.Columns.Event, s.EventColumn)
	set(&m.Columns.Unit, s.UnitColumn)
	set(&m.Columns.Time, s.TimeColumn)
	set(&m.Columns.Properties, s.PropertiesColumn)
	set(&m.Properties, s.Properties)
	if s.ExposureEvent != "" || s.ExposureExperimentProperty != "" || s.ExposureArmProperty != "" {
		m.Exposure = &events.Exposure{
			Event:              s.ExposureEvent,
			ExperimentProperty: s.ExposureExperimentProperty,
			ArmProperty:        s.ExposureArmProperty,
		}
	}
	return m
}

// lazySource opens a store on first use and keeps it. A failed open is not
// kept: the next query tries again, so a database that comes back is
// picked up without touching the data source.
type lazySource struct {
	name string
	open func(context.Context) (events.Source, error)

	mu     sync.Mutex
	src    events.Source
	closed bool
}

func (l *lazySource) get(ctx context.Context) (events.Source, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, &sourceError{source: "event store " + l.name, err: errClosed}
	}
	if l.src == nil {
		src, err := l.open(ctx)
		if err != nil {
			return nil, err
		}
		l.src = src
	}
	return l.src, nil
}

// Name implements events.Source.
func (l *lazySource) Name() string { return l.name }

// Exposures implements events.Source.
func (l *lazySource) Exposures(ctx context.Context, s events.Scope) (events.ExposureCounts, error) {
	src, err := l.get(ctx)
	if err != nil {
		return events.ExposureCounts{}, err
	}
	return src.Exposures(ctx, s)
}

// MetricSums implements events.Source.
func (l *lazySource) MetricSums(ctx context.Context, s events.Scope, m events.Metric) ([]events.GroupSums, error) {
	src, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return src.MetricSums(ctx, s, m)
}

// Close implements events.Source.
func (l *lazySource) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.src == nil {
		return nil
	}
	err := l.src.Close()
	l.src = nil
	return err
}
