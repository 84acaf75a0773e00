package models

// Event store kinds for Settings.EventStore.
const (
	// EventStoreExporter reads the exporter's embedded store over its store
	// API (the default).
	EventStoreExporter = "exporter"
	// EventStoreClickHouse reads a ClickHouse events table directly.
	EventStoreClickHouse = "clickhouse"
	// EventStorePostgres reads a PostgreSQL events table directly.
	EventStorePostgres = "postgres"
)

// Prometheus authentication kinds for Settings.PrometheusAuth.
const (
	PrometheusAuthNone   = "none"
	PrometheusAuthBasic  = "basic"
	PrometheusAuthBearer = "bearer"
)

// Keys of secureJsonData. Grafana stores these encrypted and the frontend
// can only learn whether each is set (secureJsonFields), never read it back.
const (
	SecureExporterToken      = "exporterToken"
	SecureClickHousePassword = "clickhousePassword"
	SecureClickHouseDSN      = "clickhouseDsn"
	SecurePostgresPassword   = "postgresPassword"
	SecurePostgresDSN        = "postgresDsn"
	SecurePrometheusPassword = "prometheusPassword"
	SecurePrometheusToken    = "prometheusToken"
)

// DefaultCacheTTL is how long a query result is reused when the settings do
// not say: long enough that a dashboard's panels loading together share one
// scan, short enough that a refresh shows new data.
const DefaultCacheTTL = "30s"

// Settings is the data source's jsonData. Secrets live in secureJsonData
// under the Secure* keys and are never part of this struct's JSON.
type Settings struct {
	// ExporterURL is the liftgate exporter's base URL. Plans always come
	// from it, so the plugin and the exporter never disagree about a plan;
	// with EventStore "exporter" its embedded store is the event store too.
	ExporterURL string `json:"exporterUrl"`
	// EventStore is one of the EventStore* constants ("" = exporter).
	EventStore string `json:"eventStore,omitempty"`
	// ClickHouse and Postgres are read when EventStore names them.
	ClickHouse *ClickHouseSettings `json:"clickhouse,omitempty"`
	Postgres   *PostgresSettings   `json:"postgres,omitempty"`
	// Mapping says where events live in a ClickHouse or PostgreSQL schema;
	// empty means liftgate's own schema.
	Mapping *MappingSettings `json:"mapping,omitempty"`

	// PrometheusURL is the Prometheus (or compatible) API base URL for
	// telemetry queries and deployment markers; empty disables them.
	PrometheusURL string `json:"prometheusUrl,omitempty"`
	// PrometheusAuth is one of the PrometheusAuth* constants ("" = none).
	PrometheusAuth string `json:"prometheusAuth,omitempty"`
	// PrometheusUser is the basic-auth user (password in secureJsonData).
	PrometheusUser string `json:"prometheusUser,omitempty"`

	// CacheTTL is how long identical queries (same query, same time range)
	// share one result, as a duration ("30s"); "0s" turns the cache off.
	CacheTTL string `json:"cacheTtl,omitempty"`
	// Timeout bounds one query against any source ("" = 2m).
	Timeout string `json:"timeout,omitempty"`
}

// ClickHouseSettings reach a ClickHouse server over the native protocol.
// The password (or a whole DSN) lives in secureJsonData.
type ClickHouseSettings struct {
	// Addr is host:port of the native protocol (port 9000 when omitted).
	Addr     string `json:"addr,omitempty"`
	Database string `json:"database,omitempty"`
	User     string `json:"user,omitempty"`
	// TLS turns on transport security (usually port 9440).
	TLS                bool   `json:"tls,omitempty"`
	TLSCAFile          string `json:"tlsCaFile,omitempty"`
	TLSServerName      string `json:"tlsServerName,omitempty"`
	InsecureSkipVerify bool   `json:"tlsSkipVerify,omitempty"`
}

// PostgresSettings reach a PostgreSQL server. The password (or a whole
// connection string) lives in secureJsonData.
type PostgresSettings struct {
	// Addr is host:port (port 5432 when omitted).
	Addr     string `json:"addr,omitempty"`
	Database string `json:"database,omitempty"`
	User     string `json:"user,omitempty"`
	// TLSMode is a libpq sslmode: disable, allow, prefer (default),
	// require, verify-ca or verify-full.
	TLSMode   string `json:"tlsMode,omitempty"`
	TLSCAFile string `json:"tlsCaFile,omitempty"`
}

// MappingSettings tell a SQL store where events live.
type MappingSettings struct {
	// Table holding one row per event, optionally db-qualified.
	Table string `json:"table,omitempty"`
	// Column names of the event table.
	IDColumn         string `json:"idColumn,omitempty"`
	EventColumn      string `json:"eventColumn,omitempty"`
	UnitColumn       string `json:"unitColumn,omitempty"`
	TimeColumn       string `json:"timeColumn,omitempty"`
	PropertiesColumn string `json:"propertiesColumn,omitempty"`
	// Properties is how the properties column is stored: "json" (default)
	// or "map" (ClickHouse Map(String, String)).
	Properties string `json:"properties,omitempty"`
	// Exposure* override how every plan's exposures are recognised (e.g.
	// PostHog's $feature_flag_called); all empty means the plan's own.
	ExposureEvent              string `json:"exposureEvent,omitempty"`
	ExposureExperimentProperty string `json:"exposureExperimentProperty,omitempty"`
	ExposureArmProperty        string `json:"exposureArmProperty,omitempty"`
}
