package clickhouse

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// TestDistributedTable reads a Distributed table over two shards whose
// events are split by event id, not by unit, so a unit's exposures and
// metric events are spread over both shards. The answers must equal those
// from one table holding every event: the per-unit aggregation is merged
// across shards and the GLOBAL JOIN ships the assigned units to each shard.
func TestDistributedTable(t *testing.T) {
	srv := testserver.StartClickHouse(t, testserver.WithClickHouseCluster("lg_shards", "shard1", "shard2"))
	ctx := testCtx(t)
	for _, db := range []string{"shard1", "shard2", "whole", "dist"} {
		srv.Exec(t, "default", "CREATE DATABASE "+db)
	}
	shard1 := openOn(t, srv, "shard1", events.Mapping{})
	shard2 := openOn(t, srv, "shard2", events.Mapping{})
	whole := openOn(t, srv, "whole", events.Mapping{})
	for _, s := range []*Source{shard1, shard2, whole} {
		if err := s.CreateLiftgateSchema(ctx); err != nil {
			t.Fatal(err)
		}
	}
	srv.Exec(t, "dist", "CREATE TABLE events AS shard1.events ENGINE = Distributed(lg_shards, '', events)")

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	evs := randomEvents(rand.New(rand.NewPCG(seed, 11)), 300, t0, t0.Add(10*day))
	var part1, part2 []events.Event
	for i, e := range evs {
		if i%2 == 0 {
			part1 = append(part1, e)
		} else {
			part2 = append(part2, e)
		}
	}
	for _, c := range []struct {
		s   *Source
		evs []events.Event
	}{{shard1, part1}, {shard2, part2}, {whole, evs}} {
		if _, err := c.s.Insert(ctx, c.evs); err != nil {
			t.Fatal(err)
		}
	}
	dist := openOn(t, srv, "dist", events.Mapping{})

	sc := baseScope()
	sc.Stages = []events.StageStart{{Name: "a", Start: t0}, {Name: "b", Start: t0.Add(4 * day)}}
	sc.Segment, sc.Bucket = "country", 3*day
	want, err := whole.Exposures(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dist.Exposures(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Groups) == 0 {
		t.Fatal("no exposures: the generator is broken")
	}
	checkExposures(t, got, want)

	amount := events.EventValue{Event: "purchase", Property: "amount"}
	for name, m := range map[string]events.Metric{
		"mean cuped": {Kind: events.Mean, Value: amount, Window: 5 * day, CUPEDLookback: 2 * day},
		"ratio":      {Kind: events.Ratio, Numerator: amount, Denominator: events.EventValue{Event: "session"}},
		"conversion": {Kind: events.Conversion, Value: events.EventValue{Event: "purchase"}},
	} {
		t.Run(name, func(t *testing.T) {
			want, err := whole.MetricSums(ctx, sc, m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := dist.MetricSums(ctx, sc, m)
			if err != nil {
				t.Fatal(err)
			}
			wantMap := map[events.GroupKey]stats.ArmSums{}
			for _, g := range want {
				wantMap[g.GroupKey] = g.Sums
			}
			checkSums(t, got, wantMap)
		})
	}

	t.Run("health", func(t *testing.T) {
		req := events.HealthRequest{Events: []string{"purchase", "session"}, Now: t0.Add(10 * day)}
		want, err := whole.Health(ctx, sc, req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dist.Health(ctx, sc, req)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("health of the Distributed table:\n%+v\nof the whole table:\n%+v", got, want)
		}
		// Copies of two of shard1's events in shard2: a duplicate only the
		// initiator sees, which GLOBAL IN must find across shards.
		srv.Exec(t, "shard2", fmt.Sprintf("INSERT INTO events SELECT * FROM shard1.events WHERE event = 'purchase' AND ts >= toDateTime(%d) AND ts < toDateTime(%d) ORDER BY id LIMIT 2",
			sc.Start.Unix(), sc.End.Unix()))
		got, err = dist.Health(ctx, sc, req)
		if err != nil {
			t.Fatal(err)
		}
		if got.Duplicates.Count != want.Duplicates.Count+2 || len(got.Duplicates.Examples) != len(want.Duplicates.Examples)+2 {
			t.Errorf("duplicates across shards = %+v, want %d more than %+v", got.Duplicates, 2, want.Duplicates)
		}
	})
}
