package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

func countEvents(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT count(*) FROM events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAppendIsIdempotent(t *testing.T) {
	s := openMem(t)
	batch := []events.Event{
		{ID: "a", Name: "view", Unit: "u1", Time: at(1)},
		{ID: "b", Name: "view", Unit: "u2", Time: at(2)},
		{Name: "view", Unit: "u3", Time: at(3)}, // no id: content id
	}
	if res := mustAppend(t, s, batch...); res != (AppendResult{Inserted: 3}) {
		t.Fatalf("first append: %+v", res)
	}
	if res := mustAppend(t, s, batch...); res != (AppendResult{Duplicates: 3}) {
		t.Fatalf("second append: %+v, want all duplicates", res)
	}
	// A new event mixed with old ones.
	res := mustAppend(t, s, batch[0], events.Event{ID: "c", Name: "view", Unit: "u4", Time: at(4)})
	if res != (AppendResult{Inserted: 1, Duplicates: 1}) {
		t.Fatalf("third append: %+v", res)
	}
	if n := countEvents(t, s); n != 4 {
		t.Fatalf("stored %d events, want 4", n)
	}
	if res, err := s.Append(context.Background(), nil); err != nil || res != (AppendResult{}) {
		t.Fatalf("empty append: %+v %v", res, err)
	}
}

func TestAppendInBatchDuplicatesKeepTheFirst(t *testing.T) {
	s := openMem(t)
	res := mustAppend(t, s,
		events.Event{ID: "x", Name: "first", Unit: "u1", Time: at(5)},
		events.Event{ID: "y", Name: "other", Unit: "u1", Time: at(1)},
		events.Event{ID: "x", Name: "second", Unit: "u1", Time: at(0)},
		events.Event{ID: "x", Name: "third", Unit: "u1", Time: at(9)},
	)
	if res != (AppendResult{Inserted: 2, Duplicates: 2}) {
		t.Fatalf("got %+v, want 2 inserted and 2 duplicates", res)
	}
	var name string
	if err := s.db.QueryRow("SELECT event FROM events WHERE id = 'x'").Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != "first" {
		t.Errorf("kept %q, want the batch's first occurrence", name)
	}
}

func TestAppendBatchIsAtomic(t *testing.T) {
	s := openMem(t)
	good := events.Event{ID: "good", Name: "view", Unit: "u1", Time: at(1)}
	bad := []events.Event{
		{ID: "b1", Name: "", Unit: "u1", Time: at(1)},
		{ID: "b2", Name: "view", Unit: "", Time: at(1)},
		{ID: "b3", Name: "view", Unit: "u\x00", Time: at(1)},
		{ID: "b4", Name: "vi\xffew", Unit: "u1", Time: at(1)},
		{ID: "b5", Name: "view", Unit: "u1"},
		{ID: "b6", Name: "view", Unit: "u1", Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "b7", Name: "view", Unit: "u1", Time: at(1), Properties: map[string]any{"f": func() {}}},
	}
	for _, b := range bad {
		_, err := s.Append(context.Background(), []events.Event{good, b})
		if err == nil {
			t.Errorf("batch with %+v: no error", b)
			continue
		}
		if !strings.Contains(err.Error(), `"`+b.ID+`"`) {
			t.Errorf("error %q should name event %q", err, b.ID)
		}
	}
	if n := countEvents(t, s); n != 0 {
		t.Fatalf("%d events stored from failed batches, want 0", n)
	}
	// A cancelled context fails the batch without storing any of it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Append(ctx, []events.Event{good}); err == nil {
		t.Error("append with a cancelled context: no error")
	}
	if n := countEvents(t, s); n != 0 {
		t.Fatalf("%d events stored after a cancelled append, want 0", n)
	}
}

func TestAppendStoresTheInstantInUTC(t *testing.T) {
	s := openMem(t)
	// 14:30:45.123456 at +02:00 is 12:30:45.123456 UTC.
	local := time.Date(2024, 5, 1, 14, 30, 45, 123456789, time.FixedZone("CEST", 2*3600))
	mustAppend(t, s, events.Event{ID: "t", Name: "view", Unit: "u", Time: local, Properties: map[string]any{"k": "v"}})
	var us int64
	var text, props string
	if err := s.db.QueryRow("SELECT epoch_us(ts), strftime(ts, '%Y-%m-%d %H:%M:%S.%f'), properties::VARCHAR FROM events").Scan(&us, &text, &props); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 5, 1, 12, 30, 45, 123456000, time.UTC).UnixMicro(); us != want {
		t.Errorf("stored %d µs, want %d", us, want)
	}
	if text != "2024-05-01 12:30:45.123456" {
		t.Errorf("stored %q, want the UTC wall time", text)
	}
	if props != `{"k":"v"}` {
		t.Errorf("stored properties %s", props)
	}
}

func TestConcurrentAppendsDoNotDuplicate(t *testing.T) {
	s := openMem(t)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var batch []events.Event
			for i := 0; i < 500; i++ { // every worker sends the same ids
				batch = append(batch, events.Event{ID: fmt.Sprint(i), Name: "e", Unit: "u", Time: at(float64(i))})
			}
			if _, err := s.Append(context.Background(), batch); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := countEvents(t, s); n != 500 {
		t.Fatalf("stored %d events, want 500", n)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.duckdb")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, exposure("u1", 1, "exp1", "control"), exposure("u2", 1, "exp1", "treatment"),
		event("purchase", "u1", 2, map[string]any{"amount": 3}))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // closing twice is harmless
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkGroups(t, metricSums(t, s, baseScope(), events.Metric{Kind: events.Mean, Value: amountSum}), []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: "control"}, Sums: sumsOf([3]float64{3, 0, 0})},
		{GroupKey: events.GroupKey{Arm: "treatment"}, Sums: sumsOf([3]float64{0, 0, 0})},
	})
	// Still idempotent across processes' lifetimes.
	res := mustAppend(t, s, exposure("u1", 1, "exp1", "control"))
	if res != (AppendResult{Duplicates: 1}) {
		t.Errorf("re-append after reopen: %+v", res)
	}
}

func TestOpenRejectsForeignDatabases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE events (id INTEGER, payload VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := Open(path); err == nil || !strings.Contains(err.Error(), "not liftgate's") {
		t.Errorf("foreign events table: got %v, want an error", err)
		if s != nil {
			s.Close()
		}
	}
	if _, err := Open("a?b.duckdb"); err == nil {
		t.Error("path with '?': no error")
	}
	if _, err := OpenWithOptions("", Options{Threads: -1}); err == nil {
		t.Error("negative threads: no error")
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing-dir", "x.duckdb")); err == nil {
		t.Error("file in a missing directory: no error")
	}
}

func TestOptionsAreApplied(t *testing.T) {
	s, err := OpenWithOptions("", Options{MemoryLimitMiB: 300, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mem, tz string
	var threads int
	if err := s.db.QueryRow("SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('TimeZone')").Scan(&mem, &threads, &tz); err != nil {
		t.Fatal(err)
	}
	if mem != "300.0 MiB" || threads != 1 || tz != "UTC" {
		t.Errorf("settings: memory %q threads %d zone %q", mem, threads, tz)
	}
	if s.Name() != "duckdb" {
		t.Errorf("Name() = %q", s.Name())
	}
}
