package bundle

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/liftgate/liftgate/pkg/models"
)

// grafanaDatasources is Grafana's data source provisioning file
// (administration/provisioning, "Data sources").
type grafanaDatasources struct {
	APIVersion        int `yaml:"apiVersion"`
	DeleteDatasources []struct {
		Name  string `yaml:"name"`
		OrgID int    `yaml:"orgId"`
	} `yaml:"deleteDatasources"`
	Datasources []struct {
		Name            string            `yaml:"name"`
		UID             string            `yaml:"uid"`
		Type            string            `yaml:"type"`
		Access          string            `yaml:"access"`
		OrgID           int               `yaml:"orgId"`
		URL             string            `yaml:"url"`
		User            string            `yaml:"user"`
		Database        string            `yaml:"database"`
		BasicAuth       bool              `yaml:"basicAuth"`
		BasicAuthUser   string            `yaml:"basicAuthUser"`
		WithCredentials bool              `yaml:"withCredentials"`
		IsDefault       bool              `yaml:"isDefault"`
		Editable        bool              `yaml:"editable"`
		Version         int               `yaml:"version"`
		JSONData        map[string]any    `yaml:"jsonData"`
		SecureJSONData  map[string]string `yaml:"secureJsonData"`
	} `yaml:"datasources"`
}

// grafanaDashboardProviders is Grafana's dashboard provider file.
type grafanaDashboardProviders struct {
	APIVersion int `yaml:"apiVersion"`
	Providers  []struct {
		Name                  string `yaml:"name"`
		OrgID                 int    `yaml:"orgId"`
		Folder                string `yaml:"folder"`
		FolderUID             string `yaml:"folderUid"`
		Type                  string `yaml:"type"`
		DisableDeletion       bool   `yaml:"disableDeletion"`
		UpdateIntervalSeconds int    `yaml:"updateIntervalSeconds"`
		AllowUIUpdates        bool   `yaml:"allowUiUpdates"`
		Options               struct {
			Path                      string `yaml:"path"`
			FoldersFromFilesStructure bool   `yaml:"foldersFromFilesStructure"`
		} `yaml:"options"`
	} `yaml:"providers"`
}

// pluginID is the data source plugin's id from plugin.json, the one source
// of truth the build also reads.
func pluginID(t *testing.T) string {
	t.Helper()
	var p struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(repoRoot(t), "plugin.json")), &p); err != nil {
		t.Fatalf("plugin.json: %v", err)
	}
	if p.ID == "" {
		t.Fatal("plugin.json: no id")
	}
	return p.ID
}

// jsonFieldNames lists the JSON names of a struct's fields.
func jsonFieldNames(v any) []string {
	var out []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// The provisioned liftgate data source speaks the plugin's settings model:
// every jsonData key is a field of models.Settings and every secureJsonData
// key one of its secrets, so a renamed setting cannot leave the provisioning
// silently configuring nothing.
func TestGrafanaDatasourcesMatchThePlugin(t *testing.T) {
	id := pluginID(t)
	settingsFields := jsonFieldNames(models.Settings{})
	secrets := []string{
		models.SecureExporterToken, models.SecureClickHousePassword, models.SecureClickHouseDSN,
		models.SecurePostgresPassword, models.SecurePostgresDSN, models.SecurePrometheusPassword, models.SecurePrometheusToken,
	}
	uids := map[string]bool{}
	sawPlugin, sawPrometheus := false, false
	for _, path := range globRepo(t, "provisioning/grafana/datasources/*.yaml") {
		for _, f := range decodeStrictYAML[grafanaDatasources](t, path) {
			if f.APIVersion != 1 {
				t.Errorf("%s: apiVersion %d, want 1", rel(t, path), f.APIVersion)
			}
			for _, ds := range f.Datasources {
				where := rel(t, path) + ": data source " + ds.Name
				if ds.UID == "" || uids[ds.UID] {
					t.Errorf("%s: uid %q is empty or not unique", where, ds.UID)
				}
				uids[ds.UID] = true
				if ds.Access != "proxy" {
					t.Errorf("%s: access %q, want proxy (the backend queries, never the browser)", where, ds.Access)
				}
				switch ds.Type {
				case id:
					sawPlugin = true
					for k := range ds.JSONData {
						if !slices.Contains(settingsFields, k) {
							t.Errorf("%s: jsonData.%s is not a field of models.Settings (%v)", where, k, settingsFields)
						}
					}
					for k := range ds.SecureJSONData {
						if !slices.Contains(secrets, k) {
							t.Errorf("%s: secureJsonData.%s is not one of the plugin's secrets %v", where, k, secrets)
						}
					}
					if ds.JSONData["exporterUrl"] == nil {
						t.Errorf("%s: no jsonData.exporterUrl (plans always come from the exporter)", where)
					}
					if es, _ := ds.JSONData["eventStore"].(string); es != "" && es != models.EventStoreExporter &&
						es != models.EventStoreClickHouse && es != models.EventStorePostgres {
						t.Errorf("%s: jsonData.eventStore %q is not a store the plugin knows", where, es)
					}
				case "prometheus":
					sawPrometheus = true
					if ds.URL == "" {
						t.Errorf("%s: no url", where)
					}
				default:
					t.Errorf("%s: unexpected type %q", where, ds.Type)
				}
				// Secrets come from the environment, never from the file.
				for k, v := range ds.SecureJSONData {
					if !strings.HasPrefix(v, "$") {
						t.Errorf("%s: secureJsonData.%s is a literal; use ${ENV_VAR}", where, k)
					}
				}
			}
		}
	}
	if !sawPlugin || !sawPrometheus {
		t.Errorf("provisioning must define a %s and a prometheus data source (got plugin=%v prometheus=%v)", id, sawPlugin, sawPrometheus)
	}
}

func TestGrafanaDashboardProvider(t *testing.T) {
	for _, path := range globRepo(t, "provisioning/grafana/dashboards/*.yaml") {
		for _, f := range decodeStrictYAML[grafanaDashboardProviders](t, path) {
			if f.APIVersion != 1 || len(f.Providers) == 0 {
				t.Errorf("%s: want apiVersion 1 and at least one provider", rel(t, path))
			}
			for _, p := range f.Providers {
				if p.Type != "file" || p.Options.Path == "" {
					t.Errorf("%s: provider %s: want type file with options.path", rel(t, path), p.Name)
				}
			}
		}
	}
}
