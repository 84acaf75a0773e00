package stores

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/events/storeconfig"
)

// DecisionLog returns the decision log kept in the store: the
// liftgate_decisions table of the DuckDB file or of the ClickHouse or
// PostgreSQL database. With a SQL store the table is created (if missing)
// on first use, when the store connects, so a database that is still
// starting delays the log without stopping the exporter.
func (s *Store) DecisionLog(ctx context.Context, opts decisionlog.Options) (decisionlog.Log, error) {
	switch {
	case s.duck != nil:
		l, err := s.duck.DecisionLog(ctx, opts)
		if err != nil {
			return nil, err
		}
		return l, nil
	case s.lazy != nil:
		return &lazyLog{src: s.lazy, opts: opts}, nil
	}
	return nil, errors.New("this store keeps no decision log")
}

// openStoreLog opens the decision log of a connected SQL store.
func openStoreLog(ctx context.Context, s sqlSource, opts decisionlog.Options) (decisionlog.Log, error) {
	l, err := storeconfig.DecisionLog(ctx, s, opts)
	if err != nil {
		return nil, fmt.Errorf("decision log: %w", err)
	}
	return l, nil
}

// lazyLog opens the SQL store's decision log on first use and retries on
// every later use until it succeeds.
type lazyLog struct {
	src  *lazySource
	opts decisionlog.Options

	mu     sync.Mutex
	log    decisionlog.Log
	closed bool
}

var (
	_ decisionlog.Log      = (*lazyLog)(nil)
	_ decisionlog.Retainer = (*lazyLog)(nil)
)

func (l *lazyLog) get(ctx context.Context) (decisionlog.Log, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errors.New("decision log is closed")
	}
	if l.log != nil {
		return l.log, nil
	}
	s, err := l.src.get(ctx)
	if err != nil {
		return nil, err
	}
	if l.log, err = openStoreLog(ctx, s, l.opts); err != nil {
		return nil, err
	}
	return l.log, nil
}

func (l *lazyLog) Append(ctx context.Context, entries ...decisionlog.Entry) ([]decisionlog.Entry, error) {
	log, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return log.Append(ctx, entries...)
}

func (l *lazyLog) List(ctx context.Context, f decisionlog.Filter) ([]decisionlog.Entry, error) {
	log, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return log.List(ctx, f)
}

func (l *lazyLog) Compact(ctx context.Context, now time.Time) (int, error) {
	log, err := l.get(ctx)
	if err != nil {
		return 0, err
	}
	r, ok := log.(decisionlog.Retainer)
	if !ok {
		return 0, nil
	}
	return r.Compact(ctx, now)
}

func (l *lazyLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.log == nil {
		return nil
	}
	return l.log.Close()
}
