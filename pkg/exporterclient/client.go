package exporterclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
)

// ErrNotFound is returned (wrapped in *APIError) when the exporter does not
// evaluate the requested experiment.
var ErrNotFound = errors.New("experiment not found")

// ErrNoResult is returned (wrapped in *APIError) when the experiment is
// known but has no usable result: it was not evaluated yet, or its last
// evaluation failed. The exporter never serves an older result in that
// case, so a reader cannot mistake stale numbers for current ones.
var ErrNoResult = errors.New("no current result")

// APIError is a non-2xx answer from the exporter.
type APIError struct {
	StatusCode int
	Message    string
	// EvaluatedAt is when a failed evaluation ran, when the exporter says.
	EvaluatedAt *time.Time
}

func (e *APIError) Error() string {
	return fmt.Sprintf("liftgate_exporter: HTTP %d: %s", e.StatusCode, e.Message)
}

// Is lets errors.Is match ErrNotFound and ErrNoResult by status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrNoResult:
		return e.StatusCode == http.StatusServiceUnavailable
	}
	return false
}

// maxResponseBytes bounds what the client reads from one answer; a plan
// with its results is far smaller.
const maxResponseBytes = 64 << 20

// Client reads one exporter's API. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// New returns a client for the exporter at baseURL (e.g.
// http://127.0.0.1:9781). token, when not empty, is sent as a bearer token.
func New(baseURL, token string) (*Client, error) {
	return NewWithHTTPClient(baseURL, token, nil)
}

// NewWithHTTPClient is New with a caller's http.Client (TLS settings,
// timeouts); nil means one with a 30 s timeout.
func NewWithHTTPClient(baseURL, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("exporterclient: %q is not an http(s) URL such as http://127.0.0.1:9781", baseURL)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: u, token: token, http: hc}, nil
}

// BaseURL is the exporter's address as given to New, without a trailing
// slash.
func (c *Client) BaseURL() string { return c.base.String() }

// ListPlans lists the plans the exporter evaluates, sorted by id.
func (c *Client) ListPlans(ctx context.Context) ([]PlanSummary, error) {
	var list PlanList
	if err := c.get(ctx, PathPlans, &list); err != nil {
		return nil, err
	}
	if list.Plans == nil {
		list.Plans = []PlanSummary{}
	}
	return list.Plans, nil
}

// Plan returns the plan the exporter evaluates for id, with its hash. The
// hash is the exporter's: it names the version that produced the results.
func (c *Client) Plan(ctx context.Context, id string) (*plan.Plan, string, error) {
	doc, err := c.PlanDocument(ctx, id)
	if err != nil {
		return nil, "", err
	}
	var p plan.Plan
	if err := json.Unmarshal(doc.Plan, &p); err != nil {
		return nil, "", fmt.Errorf("exporterclient: plan %s: decoding: %w", id, err)
	}
	return &p, doc.Hash, nil
}

// PlanDocument returns the plan with its YAML source and load status.
func (c *Client) PlanDocument(ctx context.Context, id string) (*PlanDocument, error) {
	var doc PlanDocument
	if err := c.get(ctx, expand(PathPlan, id), &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// LastResult returns the last evaluation of experiment id. When the
// experiment was not evaluated yet or its last evaluation failed the error
// matches ErrNoResult (errors.Is).
func (c *Client) LastResult(ctx context.Context, id string) (*engine.Result, error) {
	var res engine.Result
	if err := c.get(ctx, expand(PathResult, id), &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Gate returns the current gate answer for experiment id.
func (c *Client) Gate(ctx context.Context, id string) (*Gate, error) {
	var g Gate
	if err := c.get(ctx, expand(PathGate, id), &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// StageGate returns the gate of one stage of experiment id: may stage end
// now? A controller names the stage it is in, so a traffic increase waits
// on that stage's duration and unit gates rather than on the stage the
// plan's schedule has in force. An empty stage is the stage in force, as
// Gate. A stage the plan does not have is an *APIError with status 400.
func (c *Client) StageGate(ctx context.Context, id, stage string) (*Gate, error) {
	q := url.Values{}
	q.Set("stage", stage)
	var g Gate
	if err := c.get(ctx, expand(PathGate, id)+"?"+q.Encode(), &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// expand fills the {id} placeholder with a path-escaped id.
func expand(path, id string) string {
	return strings.Replace(path, "{id}", url.PathEscape(id), 1)
}

func (c *Client) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.String()+path, nil)
	if err != nil {
		return fmt.Errorf("exporterclient: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("exporterclient: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, maxResponseBytes)
	if resp.StatusCode/100 != 2 {
		return apiError(resp.StatusCode, body)
	}
	if err := json.NewDecoder(body).Decode(into); err != nil {
		return fmt.Errorf("exporterclient: GET %s: decoding the answer: %w", path, err)
	}
	return nil
}

// apiError reads an error body, falling back to its text when it is not
// the exporter's JSON (a proxy's HTML page, say).
func apiError(status int, body io.Reader) error {
	data, _ := io.ReadAll(io.LimitReader(body, 4<<10))
	var e ErrorBody
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		return &APIError{StatusCode: status, Message: e.Error, EvaluatedAt: e.EvaluatedAt}
	}
	msg := strings.TrimSpace(string(data))
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &APIError{StatusCode: status, Message: msg}
}
