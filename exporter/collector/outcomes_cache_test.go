package collector

import (
	"context"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/decisionlog/logtest"
)

// TestLogCacheFollowsTheLog: appended entries show up at the next read,
// without their evidence; entries retention deleted leave at the next full
// reread.
func TestLogCacheFollowsTheLog(t *testing.T) {
	ctx := context.Background()
	clock := logtest.NewClock(logtest.T0)
	log, err := decisionlog.OpenFile(t.TempDir(), decisionlog.Options{MaxAge: 48 * time.Hour, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	if _, err := log.Append(ctx, logtest.Verdict(logtest.T0, "a", "errors", "inconclusive", "harmful")); err != nil {
		t.Fatal(err)
	}
	c := newLogCache(log)
	c.now = clock.Now
	got, err := c.read(ctx)
	if err != nil || len(got) != 1 || got[0].Result != nil || got[0].Decision.Action != "rollback" {
		t.Fatalf("first read: %+v %v", got, err)
	}
	clock.Set(logtest.T0.Add(72 * time.Hour))
	if _, err := log.Append(ctx, logtest.Human(clock.Now(), "a", decisionlog.HumanRollback, "confirmed")); err != nil {
		t.Fatal(err)
	}
	c.loadedAt = clock.Now() // as if fully read just now: the next read is incremental
	if got, _ := c.read(ctx); len(got) != 2 || got[1].Kind != decisionlog.KindHumanDecision {
		t.Fatalf("incremental read: %+v", got)
	}
	if n, err := log.Compact(ctx, clock.Now()); err != nil || n != 1 {
		t.Fatalf("compact: %d %v", n, err)
	}
	if got, _ := c.read(ctx); len(got) != 2 {
		t.Fatalf("before the full reread the cache still has %d entries, want 2", len(got))
	}
	clock.Set(clock.Now().Add(time.Hour))
	if got, _ := c.read(ctx); len(got) != 1 || got[0].Kind != decisionlog.KindHumanDecision {
		t.Fatalf("after the full reread: %+v", got)
	}
}
