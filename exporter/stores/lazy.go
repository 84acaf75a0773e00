package stores

import (
	"context"
	"fmt"
	"sync"

	"github.com/liftgate/liftgate/pkg/events"
)

// sqlSource is a SQL store: a Source that can also insert events.
type sqlSource interface {
	events.Source
	Insert(ctx context.Context, evs []events.Event) (int64, error)
}

// lazySource connects on first use and retries on every later use until a
// connection succeeds. Once connected, the driver's pool replaces broken
// connections itself, so a database restart costs the evaluations that
// overlap it and nothing more.
type lazySource struct {
	name string
	open func(context.Context) (sqlSource, error)

	mu  sync.Mutex
	src sqlSource
}

func (l *lazySource) get(ctx context.Context) (sqlSource, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.src != nil {
		return l.src, nil
	}
	s, err := l.open(ctx)
	if err != nil {
		return nil, err
	}
	l.src = s
	return s, nil
}

// Name is the store type, known before any connection.
func (l *lazySource) Name() string { return l.name }

func (l *lazySource) Exposures(ctx context.Context, sc events.Scope) (events.ExposureCounts, error) {
	s, err := l.get(ctx)
	if err != nil {
		return events.ExposureCounts{}, err
	}
	return s.Exposures(ctx, sc)
}

func (l *lazySource) MetricSums(ctx context.Context, sc events.Scope, m events.Metric) ([]events.GroupSums, error) {
	s, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return s.MetricSums(ctx, sc, m)
}

// Write implements server.EventWriter with the store's Insert.
func (l *lazySource) Write(ctx context.Context, evs []events.Event) (int, int, error) {
	s, err := l.get(ctx)
	if err != nil {
		return 0, 0, err
	}
	n, err := s.Insert(ctx, evs)
	return int(n), len(evs) - int(n), err
}

func (l *lazySource) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.src == nil {
		return nil
	}
	err := l.src.Close()
	l.src = nil
	return err
}

// lazyHealthSource is lazySource for stores that run data-health checks
// (the wrapper must not claim checks the store cannot run).
type lazyHealthSource struct{ *lazySource }

func (l lazyHealthSource) Health(ctx context.Context, sc events.Scope, req events.HealthRequest) (events.HealthReport, error) {
	s, err := l.get(ctx)
	if err != nil {
		return events.HealthReport{}, err
	}
	hc, ok := s.(events.HealthChecker)
	if !ok {
		return events.HealthReport{}, fmt.Errorf("%s runs no data-health checks", l.name)
	}
	return hc.Health(ctx, sc, req)
}
