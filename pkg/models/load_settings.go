package models

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/liftgate/liftgate/pkg/plan"
)

// DefaultTimeout bounds one query against any source when the settings do
// not say.
const DefaultTimeout = 2 * time.Minute

// Secrets are the decrypted secureJsonData values. They are never logged
// and never marshalled.
type Secrets struct {
	ExporterToken      string
	ClickHousePassword string
	ClickHouseDSN      string
	PostgresPassword   string
	PostgresDSN        string
	PrometheusPassword string
	PrometheusToken    string
}

// DataSourceConfig is a data source's settings, read and checked.
type DataSourceConfig struct {
	Settings Settings
	Secrets  Secrets
	// CacheTTL and Timeout are Settings.CacheTTL and Settings.Timeout
	// parsed, with their defaults.
	CacheTTL time.Duration
	Timeout  time.Duration
}

// LoadSettings reads and validates a data source's jsonData and
// secureJsonData. Errors name the setting and say what was expected; they
// are configuration mistakes (downstream).
func LoadSettings(s backend.DataSourceInstanceSettings) (*DataSourceConfig, error) {
	cfg := &DataSourceConfig{}
	if len(s.JSONData) > 0 {
		if err := json.Unmarshal(s.JSONData, &cfg.Settings); err != nil {
			return nil, settingsError("jsonData", "is not a valid settings object: %v", err)
		}
	}
	sec := s.DecryptedSecureJSONData
	cfg.Secrets = Secrets{
		ExporterToken:      sec[SecureExporterToken],
		ClickHousePassword: sec[SecureClickHousePassword],
		ClickHouseDSN:      sec[SecureClickHouseDSN],
		PostgresPassword:   sec[SecurePostgresPassword],
		PostgresDSN:        sec[SecurePostgresDSN],
		PrometheusPassword: sec[SecurePrometheusPassword],
		PrometheusToken:    sec[SecurePrometheusToken],
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// validate checks every field the loader cannot leave to the stores.
func (c *DataSourceConfig) validate() error {
	st := &c.Settings
	if st.ExporterURL == "" {
		return settingsError("exporterUrl", "is required: plans always come from the liftgate exporter (e.g. http://liftgate-exporter:9781)")
	}
	if err := checkHTTPURL("exporterUrl", st.ExporterURL); err != nil {
		return err
	}
	if st.EventStore == "" {
		st.EventStore = EventStoreExporter
	}
	stores := []string{EventStoreExporter, EventStoreClickHouse, EventStorePostgres}
	if !slices.Contains(stores, st.EventStore) {
		return settingsError("eventStore", "%q is not one of %v", st.EventStore, stores)
	}
	switch st.EventStore {
	case EventStoreClickHouse:
		if st.ClickHouse == nil && c.Secrets.ClickHouseDSN == "" {
			return settingsError("clickhouse.addr", "is required when the event store is ClickHouse (host:port of the native protocol, usually 9000), or set a DSN in the secure settings")
		}
	case EventStorePostgres:
		if st.Postgres == nil && c.Secrets.PostgresDSN == "" {
			return settingsError("postgres.addr", "is required when the event store is PostgreSQL (host:port, usually 5432), or set a connection string in the secure settings")
		}
	}

	if st.PrometheusURL != "" {
		if err := checkHTTPURL("prometheusUrl", st.PrometheusURL); err != nil {
			return err
		}
	}
	if st.PrometheusAuth == "" {
		st.PrometheusAuth = PrometheusAuthNone
	}
	switch st.PrometheusAuth {
	case PrometheusAuthNone:
	case PrometheusAuthBasic:
		if st.PrometheusUser == "" {
			return settingsError("prometheusUser", "is required with basic authentication")
		}
	case PrometheusAuthBearer:
		if c.Secrets.PrometheusToken == "" {
			return settingsError("secureJsonData."+SecurePrometheusToken, "is required with bearer authentication")
		}
	default:
		return settingsError("prometheusAuth", "%q is not one of none, basic, bearer", st.PrometheusAuth)
	}

	var err error
	if c.CacheTTL, err = durationSetting("cacheTtl", st.CacheTTL, DefaultCacheTTL); err != nil {
		return err
	}
	timeout := ""
	if st.Timeout == "" {
		timeout = DefaultTimeout.String()
	}
	if c.Timeout, err = durationSetting("timeout", st.Timeout, timeout); err != nil {
		return err
	}
	if c.Timeout == 0 {
		return settingsError("timeout", "must be positive")
	}
	return nil
}

// checkHTTPURL accepts absolute http(s) URLs only.
func checkHTTPURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return settingsError(field, "%q is not an http(s) URL such as http://host:port", raw)
	}
	if u.User != nil {
		return settingsError(field, "must not carry credentials; put them in the secure settings")
	}
	return nil
}

// durationSetting parses a non-negative duration, or the default when empty.
func durationSetting(field, value, def string) (time.Duration, error) {
	if value == "" {
		value = def
	}
	d, err := plan.ParseDuration(value)
	if err != nil {
		return 0, settingsError(field, "%v", err)
	}
	if d < 0 {
		return 0, settingsError(field, "must not be negative, got %s", value)
	}
	return d.D(), nil
}

// SettingsError is a mistake in the data source's configuration.
type SettingsError struct {
	Field   string
	Message string
}

func (e *SettingsError) Error() string {
	return "data source settings: " + e.Field + " " + e.Message
}

func settingsError(field, format string, args ...any) error {
	return &SettingsError{Field: field, Message: fmt.Sprintf(format, args...)}
}
