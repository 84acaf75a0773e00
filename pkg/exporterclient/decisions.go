package exporterclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/liftgate/liftgate/pkg/decisionlog"
)

// PathDecisions is the decision log: GET lists entries, POST records a
// human decision. There is no route to change or delete an entry.
const PathDecisions = "/api/v1/decisions"

// DecisionList is the body of GET /api/v1/decisions.
type DecisionList struct {
	Entries []decisionlog.Entry `json:"entries"`
}

// HumanDecisionRequest is the body of POST /api/v1/decisions. The exporter
// adds the time, the plan hash and the stage in force.
type HumanDecisionRequest struct {
	Experiment string `json:"experiment"`
	// Action is proceed, hold, rollback or override.
	Action string `json:"action"`
	Who    string `json:"who"`
	Why    string `json:"why"`
	Link   string `json:"link,omitempty"`
	// Metric and Arm name the verdict an override is about (optional).
	Metric string `json:"metric,omitempty"`
	Arm    string `json:"arm,omitempty"`
}

// DecisionQuery selects log entries; zero fields select everything.
type DecisionQuery struct {
	Experiment string
	Kind       decisionlog.Kind
	Since      time.Time
}

// Decisions lists the decision log entries q selects, oldest first.
func (c *Client) Decisions(ctx context.Context, q DecisionQuery) ([]decisionlog.Entry, error) {
	v := url.Values{}
	if q.Experiment != "" {
		v.Set("experiment", q.Experiment)
	}
	if q.Kind != "" {
		v.Set("kind", string(q.Kind))
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	path := PathDecisions
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var list DecisionList
	if err := c.get(ctx, path, &list); err != nil {
		return nil, err
	}
	if list.Entries == nil {
		list.Entries = []decisionlog.Entry{}
	}
	return list.Entries, nil
}

// RecordDecision records a human decision and returns the stored entry.
func (c *Client) RecordDecision(ctx context.Context, d HumanDecisionRequest) (*decisionlog.Entry, error) {
	body, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("exporterclient: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.String()+PathDecisions, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("exporterclient: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("exporterclient: POST %s: %w", PathDecisions, err)
	}
	defer resp.Body.Close()
	rd := io.LimitReader(resp.Body, maxResponseBytes)
	if resp.StatusCode/100 != 2 {
		return nil, apiError(resp.StatusCode, rd)
	}
	var e decisionlog.Entry
	if err := json.NewDecoder(rd).Decode(&e); err != nil {
		return nil, fmt.Errorf("exporterclient: POST %s: decoding the answer: %w", PathDecisions, err)
	}
	return &e, nil
}
