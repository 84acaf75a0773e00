package plugin

import (
	"context"
	"sync"
	"time"
)

// resultCache shares computations between identical queries for a short
// time. A dashboard's panels load together and often ask the same question
// (twenty panels of one experiment: the same evaluation at the same time
// range); the first caller computes, callers arriving while it runs wait for
// its answer, and later callers within the TTL reuse it. Failures are not
// kept, so a retry asks the source again.
//
// Values must be treated as immutable by every reader.
type resultCache struct {
	ttl        time.Duration
	maxEntries int
	now        func() time.Time

	mu      sync.Mutex
	entries map[string]*cacheEntry
	// computations counts the computations actually run (for tests and
	// the cache's own health).
	computations int
}

type cacheEntry struct {
	done    chan struct{} // closed when val/err are set
	val     any
	err     error
	expires time.Time
}

// defaultMaxEntries bounds the cache: far more than one dashboard needs, far
// less than a leak.
const defaultMaxEntries = 512

func newResultCache(ttl time.Duration) *resultCache {
	return &resultCache{ttl: ttl, maxEntries: defaultMaxEntries, now: time.Now, entries: map[string]*cacheEntry{}}
}

// do returns the value for key, computing it with compute when there is no
// fresh one. compute runs with a context detached from the caller's
// cancellation (other callers may be waiting for it) but bounded by
// timeout; a caller that gives up gets its own context's error. hit reports
// whether the value was shared rather than computed for this call.
func (c *resultCache) do(ctx context.Context, key string, timeout time.Duration, compute func(context.Context) (any, error)) (val any, hit bool, err error) {
	if c.ttl <= 0 {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		c.mu.Lock()
		c.computations++
		c.mu.Unlock()
		v, err := compute(cctx)
		return v, false, err
	}

	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && isDone(e) && (e.err != nil || !c.now().Before(e.expires)) {
		delete(c.entries, key)
		ok = false
	}
	if !ok {
		e = &cacheEntry{done: make(chan struct{})}
		c.evictLocked()
		c.entries[key] = e
		c.computations++
		c.mu.Unlock()
		go c.fill(ctx, key, e, timeout, compute)
	} else {
		c.mu.Unlock()
	}

	select {
	case <-e.done:
		return e.val, ok, e.err
	case <-ctx.Done():
		return nil, ok, ctx.Err()
	}
}

// fill runs one computation and publishes its result.
func (c *resultCache) fill(parent context.Context, key string, e *cacheEntry, timeout time.Duration, compute func(context.Context) (any, error)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), timeout)
	defer cancel()
	var val any
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = &panicError{value: r}
			}
		}()
		val, err = compute(ctx)
	}()
	c.mu.Lock()
	e.val, e.err = val, err
	e.expires = c.now().Add(c.ttl)
	if err != nil && c.entries[key] == e {
		delete(c.entries, key)
	}
	close(e.done)
	c.mu.Unlock()
}

// evictLocked drops expired entries, then the oldest ones while the cache
// is full. Entries still computing are never dropped.
func (c *resultCache) evictLocked() {
	now := c.now()
	for k, e := range c.entries {
		if isDone(e) && !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	for len(c.entries) >= c.maxEntries {
		var oldestKey string
		var oldest time.Time
		for k, e := range c.entries {
			if isDone(e) && (oldestKey == "" || e.expires.Before(oldest)) {
				oldestKey, oldest = k, e.expires
			}
		}
		if oldestKey == "" {
			return // everything is in flight; let it grow briefly
		}
		delete(c.entries, oldestKey)
	}
}

// stats reports the number of computations run and entries held.
func (c *resultCache) stats() (computations, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.computations, len(c.entries)
}

func isDone(e *cacheEntry) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}
