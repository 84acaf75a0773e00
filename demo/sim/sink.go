package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// event is one product event in liftgate's own NDJSON shape (docs/events.md).
type event struct {
	ID         string         `json:"id"`
	Event      string         `json:"event"`
	UserID     string         `json:"user_id"`
	Timestamp  string         `json:"timestamp"`
	Properties map[string]any `json:"properties,omitempty"`
}

func newEvent(id, name, user string, t time.Time, props map[string]any) event {
	return event{ID: id, Event: name, UserID: user, Timestamp: t.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Properties: props}
}

// sink posts batches of events to liftgate_exporter's ingestion endpoint
// (POST /api/v1/events). The exporter answers only after a batch is
// durably committed and deduplicates by id, so a batch that fails with a
// server error or a broken connection is simply sent again until it is
// acknowledged: no event is lost and none is counted twice.
type sink struct {
	url    string
	token  string
	client *http.Client
	tel    *telemetry

	acknowledged atomic.Int64
	rejected     atomic.Int64
	retries      atomic.Int64
}

func newSink(exporterURL, token string, tel *telemetry) *sink {
	return &sink{
		url:    strings.TrimRight(exporterURL, "/") + "/api/v1/events",
		token:  token,
		client: &http.Client{Timeout: 30 * time.Second},
		tel:    tel,
	}
}

// ingestAnswer is the part of the exporter's answer the sink reads.
type ingestAnswer struct {
	Inserted   int `json:"inserted"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`
	Errors     []struct {
		Line    int    `json:"line"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// post sends one batch, retrying on server errors and broken connections
// until it is acknowledged or ctx ends. A 4xx answer is final: resending the
// same bytes cannot help.
func (s *sink) post(ctx context.Context, batch []event) error {
	if len(batch) == 0 {
		return nil
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, e := range batch {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("encoding event %s: %w", e.ID, err)
		}
	}
	backoff := 100 * time.Millisecond
	for {
		status, answer, err := s.send(ctx, body.Bytes())
		switch {
		case err == nil && status == http.StatusOK:
			s.acknowledged.Add(int64(len(batch) - answer.Rejected))
			s.tel.posted.WithLabelValues("acknowledged").Add(float64(len(batch) - answer.Rejected))
			if answer.Rejected > 0 {
				s.rejected.Add(int64(answer.Rejected))
				s.tel.posted.WithLabelValues("rejected").Add(float64(answer.Rejected))
				return fmt.Errorf("the exporter rejected %d of %d events (first: %+v)", answer.Rejected, len(batch), answer.Errors[0])
			}
			return nil
		case err == nil && status >= 400 && status < 500:
			s.rejected.Add(int64(len(batch)))
			s.tel.posted.WithLabelValues("rejected").Add(float64(len(batch)))
			return fmt.Errorf("the exporter refused a batch of %d events with HTTP %d", len(batch), status)
		}
		s.retries.Add(1)
		select {
		case <-ctx.Done():
			return fmt.Errorf("batch of %d events not acknowledged: %w", len(batch), ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

func (s *sink) send(ctx context.Context, body []byte) (int, ingestAnswer, error) {
	var answer ingestAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, answer, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, answer, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, answer, err
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, &answer); err != nil {
			return 0, answer, fmt.Errorf("reading the exporter's answer: %w", err)
		}
	}
	return resp.StatusCode, answer, nil
}
