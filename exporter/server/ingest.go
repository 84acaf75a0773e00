package server

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/liftgate/liftgate/pkg/events"
)

// EventWriter stores a batch of events atomically and durably, skipping ids
// already stored. The embedded DuckDB store is one; SQL stores that can
// insert are others.
type EventWriter interface {
	Write(ctx context.Context, evs []events.Event) (inserted, duplicates int, err error)
}

// IngestResponse is the body of a successful POST /api/v1/events.
type IngestResponse struct {
	// Received counts records read: accepted, skipped and rejected.
	Received   int `json:"received"`
	Inserted   int `json:"inserted"`
	Duplicates int `json:"duplicates"`
	// Skipped counts Segment messages that are not track calls.
	Skipped  int `json:"skipped"`
	Rejected int `json:"rejected"`
	// Errors lists the first rejected records; ErrorsOmitted the rest.
	Errors        []EventError `json:"errors"`
	ErrorsOmitted int          `json:"errors_omitted,omitempty"`
}

// maxListedErrors bounds the errors echoed in one response.
const maxListedErrors = 100

type ingestHandler struct {
	writer    EventWriter
	maxBytes  int64
	maxEvents int
	timeout   time.Duration
	metrics   *ingestMetrics
}

// ServeHTTP answers only after the good events are committed (or found to
// be duplicates). The status says what a client should do: 200 = done (bad
// records listed, do not resend them), 400/413 = fix the request, 503 =
// nothing was stored, retry the same request (dedupe by id makes that safe).
func (h *ingestHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status := h.serve(w, r)
	h.metrics.requests.WithLabelValues(fmt.Sprint(status)).Inc()
}

func (h *ingestHandler) serve(w http.ResponseWriter, r *http.Request) int {
	body, status, err := h.readBody(w, r)
	if err != nil {
		writeError(w, status, err.Error())
		return status
	}
	d, err := decodeBody(body, h.maxEvents)
	if err != nil {
		status := http.StatusBadRequest
		var tooMany *tooManyEventsError
		if errors.As(err, &tooMany) {
			status = http.StatusRequestEntityTooLarge
		}
		writeError(w, status, err.Error())
		return status
	}
	resp := IngestResponse{
		Received: len(d.events) + len(d.errors) + d.skipped,
		Skipped:  d.skipped,
		Rejected: len(d.errors),
		Errors:   d.errors,
	}
	if len(resp.Errors) > maxListedErrors {
		resp.ErrorsOmitted = len(resp.Errors) - maxListedErrors
		resp.Errors = resp.Errors[:maxListedErrors]
	}
	if resp.Errors == nil {
		resp.Errors = []EventError{}
	}
	h.metrics.events.WithLabelValues("rejected").Add(float64(resp.Rejected))
	h.metrics.events.WithLabelValues("skipped").Add(float64(resp.Skipped))

	if len(d.events) > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
		defer cancel()
		start := time.Now()
		inserted, dups, err := h.writer.Write(ctx, d.events)
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, "storing the batch failed, nothing of this request was stored; retry it: "+err.Error())
			return http.StatusServiceUnavailable
		}
		h.metrics.commitSeconds.Observe(time.Since(start).Seconds())
		resp.Inserted, resp.Duplicates = inserted, dups
		h.metrics.events.WithLabelValues("inserted").Add(float64(inserted))
		h.metrics.events.WithLabelValues("duplicate").Add(float64(dups))
	}
	status = http.StatusOK
	if len(d.events) == 0 && resp.Rejected > 0 {
		status = http.StatusBadRequest // every record was bad
	}
	writeJSON(w, status, resp)
	return status
}

// readBody reads the body within the size limit, gunzipping it when the
// client says so (Segment's libraries do); the limit applies to the
// decompressed size as well, so a small bomb cannot blow up memory.
func (h *ingestHandler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	var in io.Reader = http.MaxBytesReader(w, r.Body, h.maxBytes)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("gzip body (Content-Encoding: gzip): %w", err)
		}
		in = zr
	default:
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("content encoding %q is not supported; send plain or gzip", enc)
	}
	body, err := io.ReadAll(io.LimitReader(in, h.maxBytes+1))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("request body over %d bytes; split it into smaller batches", tooBig.Limit)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("reading the body: %w", err)
	case int64(len(body)) > h.maxBytes:
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("decompressed body over %d bytes; split it into smaller batches", h.maxBytes)
	}
	return body, 0, nil
}

// ingestMetrics count what ingestion did.
type ingestMetrics struct {
	events        *prometheus.CounterVec
	requests      *prometheus.CounterVec
	commitSeconds prometheus.Histogram
}

func newIngestMetrics(reg prometheus.Registerer) *ingestMetrics {
	m := &ingestMetrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "liftgate", Name: "ingested_events_total",
			Help: "Events received on POST /api/v1/events by outcome: inserted, duplicate (id already stored), rejected (invalid record) or skipped (Segment non-track message).",
		}, []string{"outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "liftgate", Name: "ingest_requests_total",
			Help: "Ingestion requests by HTTP status code.",
		}, []string{"code"}),
		commitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "liftgate", Name: "ingest_commit_duration_seconds",
			Help:    "Time to store one request's events durably (one atomic batch).",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 8),
		}),
	}
	for _, o := range []string{"inserted", "duplicate", "rejected", "skipped"} {
		m.events.WithLabelValues(o)
	}
	if reg != nil {
		reg.MustRegister(m.events, m.requests, m.commitSeconds)
	}
	return m
}
