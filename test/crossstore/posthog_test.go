package crossstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"testing"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
)

// posthogDDL is PostHog's events table as far as ClickHouse 18.16 can
// express it (see docs/stores-clickhouse.md): DateTime instead of
// DateTime64(6, 'UTC'), and the uuid hashed through its text.
const posthogDDL = `CREATE TABLE events (
	uuid UUID,
	event String,
	properties String,
	timestamp DateTime('UTC'),
	team_id Int64,
	distinct_id String,
	elements_chain String,
	created_at DateTime('UTC'),
	person_id UUID,
	person_properties String,
	_timestamp DateTime
) ENGINE = ReplacingMergeTree(_timestamp)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (team_id, toDate(timestamp), event, cityHash64(distinct_id), cityHash64(toString(uuid)))
SAMPLE BY cityHash64(distinct_id)`

// posthogAnalyses are re-run on the PostHog layout: stages, CUPED, a
// ratio and a segment (d), and multi-arm, unknown-arm and repeated
// exposures with a segment (f).
var posthogAnalyses = []string{"a_example_sequential", "d_segments", "f_exclusions"}

// testPostHogLayout writes datasets in PostHog's layout, as PostHog's
// ingestion would: exposures are $feature_flag_called events with the flag
// key in $feature_flag and the variant in $feature_flag_response, ids are
// UUIDs (ordered like liftgate's ids, so ties between exposures break the
// same way), the unit is distinct_id and properties are Python-style JSON
// with a space after every colon and comma. Read through the shipped
// posthog mapping, they must give what liftgate's schema gives.
func testPostHogLayout(ctx context.Context, t *testing.T, root string, srv *testserver.ClickHouseServer, files map[string]string,
	sources map[string]map[string]events.Source, baseline map[string]*engine.Result) {
	posthog := map[string]events.Source{}
	for _, name := range posthogAnalyses {
		a := analysisNamed(t, name)
		src, ok := posthog[a.data]
		if !ok {
			db := srv.CreateDatabase(t)
			srv.Exec(t, db, posthogDDL)
			n := insertPostHog(ctx, t, srv, db, files[a.data])
			t.Logf("%s: %d events in PostHog's layout", a.data, n)
			src = openTarget(ctx, t, []string{"--store", writeStoreFile(t, t.TempDir(), "posthog.yaml", clickhouseStore(srv, db, "posthog"))})
			defer src.Close()
			posthog[a.data] = src
		}
		t.Run(name, func(t *testing.T) {
			p := loadPlan(t, root, a.plan)
			opts := engine.Options{At: mustTime(t, a.at), Segment: a.segment, IncludeSums: true}
			got, err := engine.Analyze(ctx, p, src, opts)
			if err != nil {
				t.Fatal(err)
			}
			want, err := engine.Analyze(ctx, p, sources[a.data]["clickhouse"], opts)
			if err != nil {
				t.Fatal(err)
			}
			compareResults(t, "posthog layout vs liftgate schema on clickhouse", p, want, got)
			if b := baseline[name]; b != nil {
				compareResults(t, "posthog layout on clickhouse vs duckdb", p, b, got)
			}
		})
	}
}

func analysisNamed(t *testing.T, name string) analysis {
	t.Helper()
	for _, a := range analyses {
		if a.name == name {
			return a
		}
	}
	t.Fatalf("no analysis %s", name)
	return analysis{}
}

// insertPostHog decodes an event file and writes each distinct event once
// (PostHog deduplicates by uuid) in PostHog's layout.
func insertPostHog(ctx context.Context, t *testing.T, srv *testserver.ClickHouseServer, db, file string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec, err := events.DecoderFor(file, f)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ch.Open(&ch.Options{Protocol: ch.Native, Addr: []string{srv.Addr()}, Auth: ch.Auth{Database: db, Username: srv.User, Password: srv.Password}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO events (uuid, event, properties, timestamp, team_id, distinct_id, elements_chain, created_at, person_id, person_properties, _timestamp)")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if seen[ev.ID] {
			continue
		}
		seen[ev.ID] = true
		name, props := ev.Name, ev.Properties
		if name == "experiment_viewed" {
			name, props = "$feature_flag_called", map[string]any{
				"$feature_flag": props["experiment_id"], "$feature_flag_response": props["variation_id"],
				"platform": props["platform"], "country": props["country"], "$lib": "web",
			}
		}
		if err := batch.Append(posthogUUID(t, ev.ID), name, pythonJSON(t, props), ev.Time, int64(2), ev.Unit, "", ev.Time,
			"00000000-0000-0000-0000-0000000000ff", "{}", ev.Time); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
	return len(seen)
}

// posthogUUID turns the generator's e000000123 into a UUID whose text sorts
// like the id.
func posthogUUID(t *testing.T, id string) string {
	t.Helper()
	var n int64
	if _, err := fmt.Sscanf(id, "e%d", &n); err != nil {
		t.Fatalf("event id %q is not the generator's: %v", id, err)
	}
	return fmt.Sprintf("00000000-0000-0000-0000-%012d", n)
}

// pythonJSON writes an object the way Python's json.dumps does by default:
// ", " between members and ": " after keys. Absent values (a property the
// exposure did not carry) are left out.
func pythonJSON(t *testing.T, props map[string]any) string {
	t.Helper()
	keys := make([]string, 0, len(props))
	for k, v := range props {
		if v != nil {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		kj, err1 := json.Marshal(k)
		vj, err2 := json.Marshal(props[k])
		if err1 != nil || err2 != nil {
			t.Fatalf("property %q: %v %v", k, err1, err2)
		}
		b.Write(kj)
		b.WriteString(": ")
		b.Write(vj)
	}
	b.WriteByte('}')
	return b.String()
}
