package bundle

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// dashboard is one dashboard file, decoded generically: the lint walks the
// JSON as Grafana stores it rather than a struct that would drop unknown
// keys.
type dashboard struct {
	path string
	name string // path relative to the repository, for messages
	root map[string]any
	vars map[string]map[string]any // template variables by name
}

func loadDashboards(t *testing.T) []*dashboard {
	t.Helper()
	var out []*dashboard
	for _, path := range globRepo(t, "dashboards/*.json") {
		d := &dashboard{path: path, name: rel(t, path), vars: map[string]map[string]any{}}
		if err := json.Unmarshal(readFile(t, path), &d.root); err != nil {
			t.Fatalf("%s: not valid JSON: %v", d.name, err)
		}
		for _, v := range list(obj(d.root["templating"])["list"]) {
			if name, _ := obj(v)["name"].(string); name != "" {
				d.vars[name] = obj(v)
			}
		}
		out = append(out, d)
	}
	return out
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// panels lists every panel, those nested in collapsed rows included.
func (d *dashboard) panels() []map[string]any {
	var out []map[string]any
	for _, p := range list(d.root["panels"]) {
		out = append(out, obj(p))
		for _, q := range list(obj(p)["panels"]) {
			out = append(out, obj(q))
		}
	}
	return out
}

func panelName(p map[string]any) string {
	return fmt.Sprintf("panel %v %q", p["id"], str(p["title"]))
}

// A stable uid is the file's name: renaming one is then a visible change of
// file, not a silent break of every link and bookmark.
var dashboardUID = regexp.MustCompile(`^liftgate-[a-z0-9-]{1,31}$`)

func TestDashboardIdentity(t *testing.T) {
	boards := loadDashboards(t)
	uids, titles := map[string]string{}, map[string]string{}
	for _, d := range boards {
		uid, title := str(d.root["uid"]), str(d.root["title"])
		if !dashboardUID.MatchString(uid) {
			t.Errorf("%s: uid %q does not match %s", d.name, uid, dashboardUID)
		}
		if want := strings.TrimSuffix(filepath.Base(d.path), ".json"); uid != want {
			t.Errorf("%s: uid %q, want the file's name %q", d.name, uid, want)
		}
		if other, dup := uids[uid]; dup {
			t.Errorf("%s: uid %q is also used by %s", d.name, uid, other)
		}
		uids[uid] = d.name
		if title == "" {
			t.Errorf("%s: no title", d.name)
		} else if other, dup := titles[title]; dup {
			t.Errorf("%s: title %q is also used by %s", d.name, title, other)
		}
		titles[title] = d.name
		// Provisioned dashboards carry no database id.
		if id, ok := d.root["id"]; !ok || id != nil {
			t.Errorf("%s: id is %v, want null", d.name, id)
		}
		if v, _ := d.root["schemaVersion"].(float64); v < 39 {
			t.Errorf("%s: schemaVersion %v, want at least 39", d.name, d.root["schemaVersion"])
		}
		if str(d.root["description"]) == "" {
			t.Errorf("%s: no description", d.name)
		}
	}
	// Links between dashboards point at uids that exist.
	linkUID := regexp.MustCompile(`/d/([A-Za-z0-9_-]+)`)
	for _, d := range boards {
		for _, m := range linkUID.FindAllStringSubmatch(string(readFile(t, d.path)), -1) {
			if _, ok := uids[m[1]]; !ok {
				t.Errorf("%s: links to dashboard uid %q, which no dashboard has", d.name, m[1])
			}
		}
	}
}

// Every dashboard is templated on the liftgate data source, the experiment
// and the stage, and every variable a query or title uses exists.
func TestDashboardTemplating(t *testing.T) {
	id := pluginID(t)
	for _, d := range loadDashboards(t) {
		ds := d.vars["datasource"]
		if str(ds["type"]) != "datasource" || str(ds["query"]) != id {
			t.Errorf("%s: variable datasource must be a data source variable for %s, got %v", d.name, id, ds)
		}
		for _, name := range []string{"experiment", "stage"} {
			if d.vars[name] == nil {
				t.Errorf("%s: no %s variable", d.name, name)
			}
		}
		for name, v := range d.vars {
			if str(v["type"]) == "datasource" && str(v["query"]) != id && str(v["query"]) != "prometheus" {
				t.Errorf("%s: data source variable %s selects %q", d.name, name, v["query"])
			}
		}
		raw := string(readFile(t, d.path))
		for _, m := range regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`).FindAllStringSubmatch(raw, -1) {
			name := m[1]
			if strings.HasPrefix(name, "__") {
				continue // Grafana's built-ins: $__rate_interval, ${__value.raw}, ...
			}
			if d.vars[name] == nil {
				t.Errorf("%s: uses $%s, which is not a dashboard variable", d.name, name)
			}
		}
	}
}

// Every data source reference goes through a template variable (or is
// Grafana's built-in annotation source): a hard-coded uid breaks the
// dashboard on every Grafana but the one it was exported from.
func TestDashboardDatasourceRefs(t *testing.T) {
	id := pluginID(t)
	allowed := map[string]string{"${datasource}": id, "${prometheus}": "prometheus", "-- Grafana --": "grafana"}
	for _, d := range loadDashboards(t) {
		var walk func(v any, path string)
		walk = func(v any, path string) {
			switch x := v.(type) {
			case map[string]any:
				if ref, ok := x["datasource"]; ok {
					r, isObj := ref.(map[string]any)
					uid, typ := str(r["uid"]), str(r["type"])
					if !isObj || allowed[uid] == "" || allowed[uid] != typ {
						t.Errorf("%s: %s.datasource is %v; use {type: %s, uid: ${datasource}} or {type: prometheus, uid: ${prometheus}}", d.name, path, ref, id)
					}
				}
				keys := make([]string, 0, len(x))
				for k := range x {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					walk(x[k], path+"."+k)
				}
			case []any:
				for i, e := range x {
					walk(e, fmt.Sprintf("%s[%d]", path, i))
				}
			}
		}
		walk(d.root, "$")
	}
}

// Every panel says what it shows and in which unit.
func TestDashboardPanelsHaveUnitAndDescription(t *testing.T) {
	for _, d := range loadDashboards(t) {
		ids := map[float64]bool{}
		for _, p := range d.panels() {
			pid, _ := p["id"].(float64)
			if pid == 0 || ids[pid] {
				t.Errorf("%s: %s: id missing or not unique", d.name, panelName(p))
			}
			ids[pid] = true
			if str(p["title"]) == "" {
				t.Errorf("%s: %s: no title", d.name, panelName(p))
			}
			gp := obj(p["gridPos"])
			if w, _ := gp["w"].(float64); w <= 0 || gp["x"].(float64)+w > 24 {
				t.Errorf("%s: %s: gridPos %v does not fit the 24-column grid", d.name, panelName(p), gp)
			}
			if str(p["type"]) == "row" {
				continue
			}
			if strings.TrimSpace(str(p["description"])) == "" {
				t.Errorf("%s: %s: no description", d.name, panelName(p))
			}
			if unit := str(obj(obj(p["fieldConfig"])["defaults"])["unit"]); unit == "" {
				t.Errorf("%s: %s: no fieldConfig.defaults.unit", d.name, panelName(p))
			}
			if len(list(p["targets"])) == 0 {
				t.Errorf("%s: %s: no queries", d.name, panelName(p))
			}
		}
	}
}

// Every query speaks its data source's language: liftgate queries use the
// plugin's query model (pkg/models) and Prometheus queries parse as PromQL.
func TestDashboardQueries(t *testing.T) {
	id := pluginID(t)
	n := 0
	for _, d := range loadDashboards(t) {
		check := func(where string, target map[string]any, dsType string) {
			n++
			var errs []string
			switch dsType {
			case id:
				errs = checkPluginQuery(target, d.vars)
			case "prometheus":
				errs = checkPromQL(str(target["expr"]))
			default:
				errs = []string{"unknown data source type " + dsType}
			}
			for _, e := range errs {
				t.Errorf("%s: %s: %s", d.name, where, e)
			}
		}
		for _, p := range d.panels() {
			panelDS := str(obj(p["datasource"])["type"])
			for i, tg := range list(p["targets"]) {
				dsType := str(obj(obj(tg)["datasource"])["type"])
				if dsType == "" {
					dsType = panelDS
				}
				check(fmt.Sprintf("%s target %d", panelName(p), i), obj(tg), dsType)
			}
		}
		for _, a := range list(obj(d.root["annotations"])["list"]) {
			a := obj(a)
			if a["builtIn"] != nil {
				continue
			}
			target := obj(a["target"])
			check(fmt.Sprintf("annotation %q", str(a["name"])), target, str(obj(a["datasource"])["type"]))
			if qt := str(target["queryType"]); qt != "annotations" {
				t.Errorf("%s: annotation %q: queryType %q, want annotations", d.name, str(a["name"]), qt)
			}
		}
		for name, v := range d.vars {
			if str(v["type"]) != "query" {
				continue
			}
			switch dsType := str(obj(v["datasource"])["type"]); dsType {
			case id:
				check("variable "+name, obj(v["query"]), dsType)
				if qt := str(obj(v["query"])["queryType"]); qt != "variables" {
					t.Errorf("%s: variable %s: queryType %q, want variables", d.name, name, qt)
				}
			case "prometheus":
				for _, e := range checkPrometheusVariable(str(obj(v["query"])["query"])) {
					t.Errorf("%s: variable %s: %s", d.name, name, e)
				}
			default:
				t.Errorf("%s: variable %s: unexpected data source %q", d.name, name, dsType)
			}
		}
	}
	if n == 0 {
		t.Fatal("no query checked")
	}
}

// Dashboards cover the three views the bundle promises, with the panel
// kinds that show them.
func TestDashboardsCoverTheViews(t *testing.T) {
	want := map[string][]string{
		"liftgate-overview":       {"table", "state-timeline"},
		"liftgate-experiment":     {"table", "timeseries", "stat"},
		"liftgate-rollout-health": {"timeseries", "xychart", "table"},
	}
	got := map[string][]string{}
	queryTypes := map[string][]string{}
	for _, d := range loadDashboards(t) {
		uid := str(d.root["uid"])
		for _, p := range d.panels() {
			got[uid] = append(got[uid], str(p["type"]))
			for _, tg := range list(p["targets"]) {
				if qt := str(obj(tg)["queryType"]); qt != "" {
					queryTypes[uid] = append(queryTypes[uid], qt)
				}
			}
		}
	}
	for uid, kinds := range want {
		for _, k := range kinds {
			if !slices.Contains(got[uid], k) {
				t.Errorf("%s: no %s panel", uid, k)
			}
		}
	}
	for _, qt := range []string{"comparison", "lift_over_time", "arm_series", "telemetry_by_arm"} {
		if !slices.Contains(queryTypes["liftgate-experiment"], qt) {
			t.Errorf("liftgate-experiment: no %s query", qt)
		}
	}
	if !slices.Contains(queryTypes["liftgate-rollout-health"], "telemetry_behaviour") {
		t.Error("liftgate-rollout-health: no telemetry_behaviour query")
	}
}
