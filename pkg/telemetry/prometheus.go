package telemetry

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
)

// DefaultQueryTimeout bounds one query_range request.
const DefaultQueryTimeout = 30 * time.Second

// maxPointsPerQuery keeps each request under Prometheus's limit of 11,000
// points per series; longer ranges are split.
const maxPointsPerQuery = 10_000

// PrometheusConfig says how to reach a Prometheus-compatible server.
type PrometheusConfig struct {
	// URL of the server's HTTP API root, e.g. http://prometheus:9090 (or a
	// Mimir/Thanos/VictoriaMetrics Prometheus-compatible prefix).
	URL string
	// HTTP carries bearer tokens, basic auth, TLS and proxy settings in the
	// format Prometheus itself uses for scrape and remote-read clients.
	HTTP config.HTTPClientConfig
	// Timeout per query (0 means DefaultQueryTimeout).
	Timeout time.Duration
}

// Prometheus is a Source backed by the Prometheus HTTP API.
type Prometheus struct {
	api     v1.API
	name    string
	timeout time.Duration
}

// NewPrometheus builds the client from cfg. It does not contact the server.
func NewPrometheus(cfg PrometheusConfig) (*Prometheus, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("prometheus URL %q: want http://host:port or https://host:port", cfg.URL)
	}
	if err := cfg.HTTP.Validate(); err != nil {
		return nil, fmt.Errorf("prometheus HTTP settings: %w", err)
	}
	httpClient, err := config.NewClientFromConfig(cfg.HTTP, "liftgate")
	if err != nil {
		return nil, fmt.Errorf("prometheus HTTP settings: %w", err)
	}
	client, err := api.NewClient(api.Config{Address: cfg.URL, Client: httpClient})
	if err != nil {
		return nil, fmt.Errorf("prometheus URL %q: %w", cfg.URL, err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultQueryTimeout
	}
	return &Prometheus{api: v1.NewAPI(client), name: "prometheus at " + u.Redacted(), timeout: timeout}, nil
}

// LoadHTTPConfig reads a Prometheus HTTP client configuration file
// (authorization, basic_auth, tls_config, proxy_url, ...); relative file
// paths in it are resolved against the file's directory.
func LoadHTTPConfig(path string) (config.HTTPClientConfig, error) {
	cfg, _, err := config.LoadHTTPConfigFile(path)
	if err != nil {
		return config.HTTPClientConfig{}, fmt.Errorf("prometheus HTTP config %s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return config.HTTPClientConfig{}, fmt.Errorf("prometheus HTTP config %s: %w", path, err)
	}
	return *cfg, nil
}

// Name implements Source.
func (p *Prometheus) Name() string { return p.name }

// QueryRange implements Source. Ranges of more than 10,000 steps are asked
// for in pieces and joined. Infinite samples (a division by zero in PromQL)
// come back as NaN, a missing value.
func (p *Prometheus) QueryRange(ctx context.Context, query string, r Range) ([]Series, error) {
	fail := func(err error) error { return &QueryError{Server: p.name, Query: query, Range: r, Err: err} }
	if r.Step <= 0 || r.End.Before(r.Start) {
		return nil, fail(fmt.Errorf("invalid range: step %s, %s to %s", r.Step, r.Start, r.End))
	}
	bySeries := map[string]*Series{}
	for start := r.Start; !start.After(r.End); start = start.Add(maxPointsPerQuery * r.Step) {
		end := start.Add((maxPointsPerQuery - 1) * r.Step)
		if end.After(r.End) {
			end = r.End
		}
		matrix, err := p.queryChunk(ctx, query, v1.Range{Start: start, End: end, Step: r.Step})
		if err != nil {
			return nil, fail(err)
		}
		for _, ss := range matrix {
			key := ss.Metric.String()
			s, ok := bySeries[key]
			if !ok {
				s = &Series{Labels: labelMap(ss.Metric)}
				bySeries[key] = s
			}
			for _, sp := range ss.Values {
				v := float64(sp.Value)
				if math.IsInf(v, 0) {
					v = math.NaN() // x/0 in PromQL: no usable value at this step
				}
				s.Points = append(s.Points, Point{T: sp.Timestamp.Time().UTC(), V: v})
			}
			if len(ss.Histograms) > 0 {
				return nil, fail(errors.New("the query returns native histograms; liftgate reads classic histograms (_bucket series) and plain samples"))
			}
		}
	}
	keys := make([]string, 0, len(bySeries))
	for k := range bySeries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Series, len(keys))
	for i, k := range keys {
		out[i] = *bySeries[k]
	}
	return out, nil
}

func (p *Prometheus) queryChunk(ctx context.Context, query string, r v1.Range) (model.Matrix, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	value, warnings, _, err := p.api.QueryRange(ctx, query, r, v1.WithTimeout(p.timeout))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("no answer within %s: %w", p.timeout, err)
		}
		// For HTTP errors outside the API (a 500 from a proxy or the
		// server), the body is the only explanation; keep its start.
		var apiErr *v1.Error
		if errors.As(err, &apiErr) && apiErr.Detail != "" {
			detail := strings.TrimSpace(apiErr.Detail)
			if len(detail) > 300 {
				detail = detail[:300] + "..."
			}
			return nil, fmt.Errorf("%w: %s", err, detail)
		}
		return nil, err
	}
	if len(warnings) > 0 {
		// Prometheus warns when it could not read every source (Thanos
		// store down, Mimir partial response): the answer is incomplete.
		return nil, fmt.Errorf("partial result, the server warned: %s", strings.Join(warnings, "; "))
	}
	matrix, ok := value.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("expected a range vector (matrix), got a %s", value.Type())
	}
	return matrix, nil
}

func labelMap(m model.Metric) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[string(k)] = string(v)
	}
	return out
}
