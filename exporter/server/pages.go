package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
)

//go:embed templates/*.html
var templateFS embed.FS

type pages struct {
	ev          Evaluator
	metricsPath string
	version     string
	landingT    *template.Template
	planT       *template.Template
}

func newPages(ev Evaluator, metricsPath, version string) *pages {
	funcs := template.FuncMap{
		"forest":   forestPlot,
		"when":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
		"seconds":  func(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) },
		"pvalue":   func(p float64) string { return fmt.Sprintf("%.4g", p) },
		"percent":  func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) },
		"metricOf": metricOf,
	}
	parse := func(name string) *template.Template {
		return template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name))
	}
	return &pages{ev: ev, metricsPath: metricsPath, version: version,
		landingT: parse("landing.html"), planT: parse("plan.html")}
}

// experimentCard is what the landing page shows for one experiment.
type experimentCard struct {
	*evaluator.ExperimentView
	Result *engine.Result // nil without a current result
}

type landingData struct {
	Title       string
	Version     string
	MetricsPath string
	Snapshot    evaluator.Snapshot
	Cards       []experimentCard
	Problems    []evaluator.FileStatus
}

func (p *pages) landing(w http.ResponseWriter, r *http.Request) {
	s := p.ev.Snapshot()
	d := landingData{Title: "liftgate_exporter", Version: p.version, MetricsPath: p.metricsPath, Snapshot: s}
	for i := range s.Experiments {
		x := &s.Experiments[i]
		c := experimentCard{ExperimentView: x}
		if x.Last.OK() {
			c.Result = x.Last.Result
		}
		d.Cards = append(d.Cards, c)
	}
	for _, f := range s.Files {
		if f.Status != evaluator.FileLoaded {
			d.Problems = append(d.Problems, f)
		}
	}
	p.render(w, p.landingT, d)
}

type planData struct {
	Title      string
	Version    string
	Experiment evaluator.ExperimentView
}

func (p *pages) plan(w http.ResponseWriter, r *http.Request) {
	x, ok := p.ev.Experiment(r.PathValue("id"))
	if !ok {
		http.Error(w, fmt.Sprintf("no experiment with id %q is evaluated here", r.PathValue("id")), http.StatusNotFound)
		return
	}
	p.render(w, p.planT, planData{Title: "Plan " + x.Plan.ID, Version: p.version, Experiment: x})
}

// render executes into a buffer first, so a template error is a clean 500
// rather than half a page.
func (p *pages) render(w http.ResponseWriter, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		http.Error(w, "rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Nothing on these pages comes from elsewhere; say so to the browser.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	_, _ = buf.WriteTo(w)
}

// metricOf finds a plan metric by name for the templates.
func metricOf(p *plan.Plan, name string) plan.Metric {
	m, _ := p.MetricByName(name)
	if m == nil {
		return plan.Metric{Name: name}
	}
	return *m
}
