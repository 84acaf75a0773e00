package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// Client is an events.Source that reads a store served by Handler (the
// exporter's embedded store).
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// ClientOptions configure a Client.
type ClientOptions struct {
	// BearerToken is sent as "Authorization: Bearer TOKEN" when set.
	BearerToken string
	// HTTPClient defaults to one with a 60 s timeout.
	HTTPClient *http.Client
}

// NewClient reads the store served at baseURL (e.g. http://127.0.0.1:9781).
func NewClient(baseURL string, opts ClientOptions) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("remote: %q is not an http(s) URL", baseURL)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &Client{base: u, token: opts.BearerToken, http: hc}, nil
}

// Name says where the events come from.
func (c *Client) Name() string { return "exporter " + c.base.Host }

// Close releases idle connections.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// Exposures implements events.Source.
func (c *Client) Exposures(ctx context.Context, s events.Scope) (events.ExposureCounts, error) {
	var resp exposuresResponse
	if err := c.post(ctx, PathExposures, exposuresRequest{Scope: toWireScope(s)}, &resp); err != nil {
		return events.ExposureCounts{}, err
	}
	out := events.ExposureCounts{MultiArmUnits: resp.MultiArmUnits, UnknownArmUnits: resp.UnknownArmUnits}
	for _, g := range resp.Groups {
		out.Groups = append(out.Groups, events.GroupCount{GroupKey: fromWireKey(g.wireKey), Units: g.Units})
	}
	return out, nil
}

// MetricSums implements events.Source.
func (c *Client) MetricSums(ctx context.Context, s events.Scope, m events.Metric) ([]events.GroupSums, error) {
	var resp metricSumsResponse
	if err := c.post(ctx, PathMetricSums, metricSumsRequest{Scope: toWireScope(s), Metric: toWireMetric(m)}, &resp); err != nil {
		return nil, err
	}
	out := make([]events.GroupSums, 0, len(resp.Groups))
	for _, g := range resp.Groups {
		out = append(out, events.GroupSums{GroupKey: fromWireKey(g.wireKey), Sums: g.Sums})
	}
	return out, nil
}

func (c *Client) post(ctx context.Context, path string, body, into any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.String()+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL never carries credentials (the token travels in a header).
		return fmt.Errorf("%s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s: reading response: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e errorResponse
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s: %s: %s", path, resp.Status, e.Error)
		}
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("%s: response: %w", path, err)
	}
	return nil
}
