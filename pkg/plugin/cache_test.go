package plugin

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Callers arriving while a computation runs wait for it instead of
// starting their own.
func TestCacheSharesAComputationInFlight(t *testing.T) {
	c := newResultCache(time.Minute)
	release := make(chan struct{})
	var runs atomic.Int32
	compute := func(context.Context) (any, error) {
		runs.Add(1)
		<-release
		return "answer", nil
	}
	var wg sync.WaitGroup
	results := make([]any, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, _, err := c.do(context.Background(), "k", time.Minute, compute)
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		}()
	}
	// Let every caller reach the cache before the computation finishes.
	for {
		c.mu.Lock()
		e := c.entries["k"]
		c.mu.Unlock()
		if e != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("%d computations for one key, want 1", runs.Load())
	}
	for i, v := range results {
		if v != "answer" {
			t.Errorf("caller %d got %v", i, v)
		}
	}
}

// A fresh value is reused until the TTL passes, then computed again.
func TestCacheExpires(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	c := newResultCache(30 * time.Second)
	c.now = func() time.Time { return now }
	n := 0
	compute := func(context.Context) (any, error) { n++; return n, nil }

	v1, hit1, _ := c.do(context.Background(), "k", time.Minute, compute)
	now = now.Add(29 * time.Second)
	v2, hit2, _ := c.do(context.Background(), "k", time.Minute, compute)
	now = now.Add(2 * time.Second)
	v3, hit3, _ := c.do(context.Background(), "k", time.Minute, compute)
	if v1 != 1 || hit1 || v2 != 1 || !hit2 || v3 != 2 || hit3 {
		t.Fatalf("got (%v %v) (%v %v) (%v %v), want (1 miss) (1 hit) (2 miss)", v1, hit1, v2, hit2, v3, hit3)
	}
}

// Failures are not kept: the next caller asks the source again.
func TestCacheDoesNotKeepErrors(t *testing.T) {
	c := newResultCache(time.Minute)
	fail := true
	compute := func(context.Context) (any, error) {
		if fail {
			return nil, errors.New("store down")
		}
		return "ok", nil
	}
	if _, _, err := c.do(context.Background(), "k", time.Minute, compute); err == nil {
		t.Fatal("want the error")
	}
	fail = false
	if v, hit, err := c.do(context.Background(), "k", time.Minute, compute); err != nil || hit || v != "ok" {
		t.Fatalf("after a failure: %v %v %v, want a fresh computation", v, hit, err)
	}
}

// A TTL of 0 computes every time.
func TestCacheOff(t *testing.T) {
	c := newResultCache(0)
	n := 0
	for i := 0; i < 3; i++ {
		if _, hit, _ := c.do(context.Background(), "k", time.Minute, func(context.Context) (any, error) { n++; return n, nil }); hit {
			t.Fatal("hit with the cache off")
		}
	}
	if n != 3 {
		t.Fatalf("%d computations, want 3", n)
	}
}

// A caller that gives up gets its own context's error; the computation
// keeps running for the others and is kept.
func TestCacheCallerCancels(t *testing.T) {
	c := newResultCache(time.Minute)
	release := make(chan struct{})
	compute := func(ctx context.Context) (any, error) {
		select {
		case <-release:
			return "done", nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.do(ctx, "k", time.Minute, compute); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	close(release)
	v, _, err := c.do(context.Background(), "k", time.Minute, compute)
	if err != nil || v != "done" {
		t.Fatalf("second caller: %v %v", v, err)
	}
}

// A panic inside a computation becomes an error for every waiting caller,
// not a crashed plugin.
func TestCacheRecoversPanics(t *testing.T) {
	c := newResultCache(time.Minute)
	_, _, err := c.do(context.Background(), "k", time.Minute, func(context.Context) (any, error) { panic("boom") })
	var pe *panicError
	if !errors.As(err, &pe) {
		t.Fatalf("want a panicError, got %v", err)
	}
}

// The cache stays bounded; entries still computing are never dropped.
func TestCacheEvictsOldest(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	c := newResultCache(time.Hour)
	c.now = func() time.Time { return now }
	c.maxEntries = 3
	for _, k := range []string{"a", "b", "c", "d"} {
		now = now.Add(time.Second)
		if _, _, err := c.do(context.Background(), k, time.Minute, func(context.Context) (any, error) { return k, nil }); err != nil {
			t.Fatal(err)
		}
	}
	_, entries := c.stats()
	if entries != 3 {
		t.Fatalf("%d entries, want 3", entries)
	}
	c.mu.Lock()
	_, hasA := c.entries["a"]
	_, hasD := c.entries["d"]
	c.mu.Unlock()
	if hasA || !hasD {
		t.Fatalf("want the oldest (a) evicted and the newest kept: a=%v d=%v", hasA, hasD)
	}
}
