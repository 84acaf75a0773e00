package collector

import (
	"log/slog"
	"math"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// emitter sends const metrics, dropping any repeat of a label set already
// sent in this scrape (client_golang fails the whole scrape on a duplicate)
// and any non-finite value (an undefined quantity is absent, never NaN).
type emitter struct {
	ch   chan<- prometheus.Metric
	seen map[seriesKey]struct{}
	log  *slog.Logger
}

func newEmitter(ch chan<- prometheus.Metric, log *slog.Logger) *emitter {
	return &emitter{ch: ch, seen: map[seriesKey]struct{}{}, log: log}
}

// seriesKey identifies a series within a scrape: its family (descs are
// built once, so the pointer is the identity) and its label values.
type seriesKey struct {
	desc   *prometheus.Desc
	labels string
}

func (e *emitter) gauge(d *prometheus.Desc, v float64, labels ...string) {
	e.send(d, prometheus.GaugeValue, v, labels)
}

func (e *emitter) counter(d *prometheus.Desc, v float64, labels ...string) {
	e.send(d, prometheus.CounterValue, v, labels)
}

// flag emits 1 for true and 0 for false.
func (e *emitter) flag(d *prometheus.Desc, on bool, labels ...string) {
	v := 0.0
	if on {
		v = 1
	}
	e.gauge(d, v, labels...)
}

func (e *emitter) send(d *prometheus.Desc, t prometheus.ValueType, v float64, labels []string) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	key := seriesKey{desc: d, labels: strings.Join(labels, "\xff")}
	if _, dup := e.seen[key]; dup {
		e.log.Warn("Dropped a duplicate series", "desc", d.String(), "labels", labels)
		return
	}
	e.seen[key] = struct{}{}
	m, err := prometheus.NewConstMetric(d, t, v, labels...)
	if err != nil {
		// Invalid UTF-8 in a label value, say: skip the series, keep the scrape.
		e.log.Warn("Dropped an invalid series", "desc", d.String(), "err", err)
		return
	}
	e.ch <- m
}
