package models

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestLoadSettingsDefaultsAndSecrets(t *testing.T) {
	cfg, err := LoadSettings(backend.DataSourceInstanceSettings{
		JSONData:                []byte(`{"exporterUrl":"http://exporter:9781","prometheusUrl":"https://prom:9090","prometheusAuth":"bearer"}`),
		DecryptedSecureJSONData: map[string]string{"exporterToken": "t0k", "prometheusToken": "p0k"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Settings.EventStore != EventStoreExporter || cfg.CacheTTL != 30*time.Second || cfg.Timeout != DefaultTimeout {
		t.Errorf("defaults: store %q ttl %s timeout %s", cfg.Settings.EventStore, cfg.CacheTTL, cfg.Timeout)
	}
	if cfg.Secrets.ExporterToken != "t0k" || cfg.Secrets.PrometheusToken != "p0k" {
		t.Errorf("secrets not read from secureJsonData: %+v", cfg.Secrets)
	}
}

func TestLoadSettingsNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		jsonData string
		secure   map[string]string
		field    string
		text     string
	}{
		{`{}`, nil, "exporterUrl", "is required"},
		{`not json`, nil, "jsonData", "is not a valid settings object"},
		{`{"exporterUrl":"ftp://x"}`, nil, "exporterUrl", "is not an http(s) URL"},
		{`{"exporterUrl":"http://user:pw@x:1"}`, nil, "exporterUrl", "must not carry credentials"},
		{`{"exporterUrl":"http://x:1","eventStore":"mysql"}`, nil, "eventStore", `"mysql" is not one of`},
		{`{"exporterUrl":"http://x:1","eventStore":"postgres"}`, nil, "postgres.addr", "is required"},
		{`{"exporterUrl":"http://x:1","prometheusUrl":"prom:9090"}`, nil, "prometheusUrl", "is not an http(s) URL"},
		{`{"exporterUrl":"http://x:1","prometheusAuth":"basic"}`, nil, "prometheusUser", "is required"},
		{`{"exporterUrl":"http://x:1","prometheusAuth":"bearer"}`, nil, "secureJsonData.prometheusToken", "is required"},
		{`{"exporterUrl":"http://x:1","prometheusAuth":"oauth"}`, nil, "prometheusAuth", "is not one of"},
		{`{"exporterUrl":"http://x:1","cacheTtl":"-1s"}`, nil, "cacheTtl", "must not be negative"},
		{`{"exporterUrl":"http://x:1","timeout":"0s"}`, nil, "timeout", "must be positive"},
	} {
		_, err := LoadSettings(backend.DataSourceInstanceSettings{JSONData: []byte(tc.jsonData), DecryptedSecureJSONData: tc.secure})
		var se *SettingsError
		if !errors.As(err, &se) || se.Field != tc.field || !strings.Contains(se.Message, tc.text) {
			t.Errorf("%s: got %v, want field %s saying %q", tc.jsonData, err, tc.field, tc.text)
		}
	}
}

// A DSN in the secure settings stands in for the SQL store's address.
func TestLoadSettingsSQLStoreByDSN(t *testing.T) {
	_, err := LoadSettings(backend.DataSourceInstanceSettings{
		JSONData:                []byte(`{"exporterUrl":"http://x:1","eventStore":"clickhouse"}`),
		DecryptedSecureJSONData: map[string]string{"clickhouseDsn": "clickhouse://u:p@ch:9000/db"},
	})
	if err != nil {
		t.Fatal(err)
	}
}
