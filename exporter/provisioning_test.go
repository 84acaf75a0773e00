package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/liftgate/liftgate/exporter/internal/e2e"
)

// provisioningDocs reads every YAML document of provisioning/<dir>.
func provisioningDocs(t *testing.T, dir string) []map[string]any {
	t.Helper()
	files, err := filepath.Glob(repoPath("provisioning", dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no provisioning files in %s: %v", dir, err)
	}
	var docs []map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			doc["_file"] = filepath.Base(f)
			docs = append(docs, doc)
		}
	}
	return docs
}

// dig walks nested maps and lists by key or index.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// checkProvisioning runs the examples in provisioning/argo-rollouts and
// provisioning/flagger against a live exporter and the Prometheus scraping
// it, for an experiment whose current decision is known: every Prometheus
// query returns exactly one value (Argo's result[0], Flagger's single
// float), the web gate's jsonPath field carries the decision, and each
// Flagger webhook answers what Flagger must see for that decision.
func checkProvisioning(t *testing.T, exporterURL string, prom *e2e.Prometheus, experiment, decision string) {
	t.Helper()
	// {{args.stage}} is its default, "": the gate of the stage in force,
	// whose decision is the one given.
	subst := strings.NewReplacer(
		"{{args.experiment}}", experiment, "{{ variables.experiment }}", experiment,
		"{{args.stage}}", "",
		"{{args.exporter}}", exporterURL, "http://liftgate-exporter.monitoring:9781", exporterURL)
	queries := 0
	for _, doc := range append(provisioningDocs(t, "argo-rollouts"), provisioningDocs(t, "flagger")...) {
		file, _ := doc["_file"].(string)
		switch doc["kind"] {
		case "AnalysisTemplate":
			metrics, _ := dig(doc, "spec", "metrics").([]any)
			for _, m := range metrics {
				if q, ok := dig(m, "provider", "prometheus", "query").(string); ok {
					checkSingleValue(t, prom, subst.Replace(q), file)
					queries++
				}
				if u, ok := dig(m, "provider", "web", "url").(string); ok {
					if dig(m, "provider", "web", "jsonPath") != "{$.decision}" {
						t.Errorf("%s: web jsonPath must read $.decision", file)
					}
					var gate map[string]any
					getJSON(t, subst.Replace(u), &gate)
					if gate["decision"] != decision {
						t.Errorf("%s: web gate says %v, want %s", file, gate["decision"], decision)
					}
					success, _ := m.(map[string]any)["successCondition"].(string)
					if !strings.Contains(success, `"proceed"`) {
						t.Errorf("%s: successCondition %q does not test for proceed", file, success)
					}
				}
			}
		case "MetricTemplate":
			q, _ := dig(doc, "spec", "query").(string)
			checkSingleValue(t, prom, subst.Replace(q), file)
			queries++
		case "Canary":
			hooks, _ := dig(doc, "spec", "analysis", "webhooks").([]any)
			if len(hooks) == 0 {
				t.Errorf("%s: no webhooks", file)
			}
			for _, h := range hooks {
				typ, _ := dig(h, "type").(string)
				u, _ := dig(h, "url").(string)
				meta, _ := dig(h, "metadata").(map[string]any)
				if meta == nil {
					meta = map[string]any{}
				}
				if meta["experiment"] == nil {
					t.Errorf("%s: %s webhook names no experiment in its metadata", file, typ)
				}
				meta["experiment"] = experiment // the examples name checkout-v2
				body, _ := json.Marshal(map[string]any{"name": "checkout", "namespace": "shop", "phase": "Progressing", "metadata": meta})
				resp, err := http.Post(subst.Replace(u), "application/json", bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				open := resp.StatusCode/100 == 2
				wantOpen := (typ == "rollback") == (decision == "rollback") && (typ == "rollback" || decision == "proceed")
				if open != wantOpen {
					t.Errorf("%s: %s webhook answered %d with decision %s; Flagger would %s", file, typ, resp.StatusCode, decision,
						map[bool]string{true: "go ahead", false: "halt"}[open])
				}
			}
		}
	}
	if queries < 3 {
		t.Errorf("only %d Prometheus queries found in the provisioning examples", queries)
	}
}

func checkSingleValue(t *testing.T, prom *e2e.Prometheus, q, file string) {
	t.Helper()
	s, err := prom.Query(q)
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return
	}
	if len(s) != 1 {
		t.Errorf("%s: query %s returned %d samples; gates need exactly one", file, q, len(s))
	}
}

func getJSON(t *testing.T, u string, into any) {
	t.Helper()
	if _, err := url.Parse(u); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
}
