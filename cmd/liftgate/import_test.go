package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
)

func writeEventFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	data := []byte(content)
	if strings.HasSuffix(name, ".gz") {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data = b.Bytes()
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runImport(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(append([]string{"import"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// exposuresIn opens the store and counts assigned units per arm of exp1.
func exposuresIn(t *testing.T, db string) map[string]int64 {
	t.Helper()
	s, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	c, err := s.Exposures(context.Background(), events.Scope{
		Experiment: "exp1", Unit: "user_id",
		Exposure: events.Exposure{Event: "exposure", ExperimentProperty: "experiment", ArmProperty: "arm"},
		Arms:     []string{"control", "treatment"}, Start: start, End: start.AddDate(0, 1, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, g := range c.Groups {
		out[g.Arm] += g.Units
	}
	return out
}

const goodNDJSON = `{"event":"exposure","user_id":"u1","timestamp":"2024-05-01T10:00:00Z","properties":{"experiment":"exp1","arm":"control"}}
{"type":"track","event":"exposure","userId":"u2","timestamp":"2024-05-01T11:00:00Z","properties":{"experiment":"exp1","arm":"treatment"},"messageId":"m-2"}
{"type":"identify","userId":"u2","traits":{}}
{"event":"exposure","distinct_id":"u3","timestamp":"2024-05-01 12:00:00","properties":{"experiment":"exp1","arm":"treatment"},"uuid":"p-3"}
`

const goodCSV = `event,user_id,timestamp,experiment,arm
exposure,u4,2024-05-02T00:00:00Z,exp1,control
exposure,u5,1714608000000,exp1,control
`

func TestImportIsIdempotentAcrossShapes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "events.duckdb")
	nd := writeEventFile(t, dir, "a.ndjson", goodNDJSON)
	cs := writeEventFile(t, dir, "b.csv.gz", goodCSV)

	code, stdout, stderr := runImport(t, "--db", db, nd, cs)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		nd + ": 4 records read, 3 inserted, 0 duplicates, 1 skipped, 0 rejected",
		cs + ": 2 records read, 2 inserted, 0 duplicates, 0 skipped, 0 rejected",
		"total: 2 files, 6 records read, 5 inserted, 0 duplicates, 1 skipped, 0 rejected",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if got := exposuresIn(t, db); got["control"] != 3 || got["treatment"] != 2 {
		t.Errorf("stored exposures %v, want control 3 (u1 u4 u5), treatment 2 (u2 u3)", got)
	}

	// The second import of the same files inserts nothing.
	code, stdout, stderr = runImport(t, "--db", db, nd, cs)
	if code != 0 {
		t.Fatalf("second import: exit %d, stderr:\n%s", code, stderr)
	}
	if want := "total: 2 files, 6 records read, 0 inserted, 5 duplicates, 1 skipped, 0 rejected"; !strings.Contains(stdout, want) {
		t.Errorf("second import: stdout lacks %q:\n%s", want, stdout)
	}
	if got := exposuresIn(t, db); got["control"] != 3 || got["treatment"] != 2 {
		t.Errorf("after re-import: %v", got)
	}
}

func TestImportReportsRejectedLinesAndKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "events.duckdb")
	bad := writeEventFile(t, dir, "bad.ndjson", `{"event":"exposure","user_id":"u1","timestamp":"2024-05-01T10:00:00Z","properties":{"experiment":"exp1","arm":"control"}}
{"event":"exposure","user_id":"u2","timestamp":"someday","properties":{"experiment":"exp1","arm":"control"}}
{"event":"exposure","timestamp":"2024-05-01T10:00:00Z"}
{"event":"exposure","user_id":"u3","timestamp":"2024-05-01T10:00:00Z","properties":{"experiment":"exp1","arm":"treatment"}}
`)
	badCSV := writeEventFile(t, dir, "bad.csv", "event,user_id,timestamp,properties\nexposure,u9,2024-05-01T10:00:00Z,[1]\n")
	// Batches of one: the rejected lines sit between committed batches.
	code, stdout, stderr := runImport(t, "--db", db, "--batch-size", "1", bad, badCSV)
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		bad + ":2: timestamp: ",
		bad + ":3: user_id: missing unit",
		badCSV + ":2: properties: expected a JSON object",
		"3 rejected",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if want := "total: 2 files, 5 records read, 2 inserted, 0 duplicates, 0 skipped, 3 rejected"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	if got := exposuresIn(t, db); got["control"] != 1 || got["treatment"] != 1 {
		t.Errorf("stored exposures %v, want the two accepted lines", got)
	}
}

func TestImportCapsTheListOfRejections(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 25; i++ {
		b.WriteString(`{"event":"e","user_id":"u","timestamp":"bad"}` + "\n")
	}
	f := writeEventFile(t, dir, "many.jsonl", b.String())
	code, _, stderr := runImport(t, "--db", filepath.Join(dir, "db.duckdb"), f)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if n := strings.Count(stderr, f+":"); n != maxListedRejections {
		t.Errorf("listed %d rejections, want %d:\n%s", n, maxListedRejections, stderr)
	}
	if !strings.Contains(stderr, "... and 5 more") || !strings.Contains(stderr, f+":20: timestamp") || strings.Contains(stderr, f+":21:") {
		t.Errorf("stderr should list lines 1-20 and count the other 5:\n%s", stderr)
	}
}

func TestImportFileLevelProblems(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "events.duckdb")
	good := writeEventFile(t, dir, "good.ndjson", goodNDJSON)
	header := writeEventFile(t, dir, "header.csv", "event,timestamp\ne,2024-05-01T00:00:00Z\n")
	unknown := writeEventFile(t, dir, "events.xml", "<e/>")

	// Content problems: exit 2, and the good file is still imported.
	code, _, stderr := runImport(t, "--db", db, header, unknown, good)
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{header + `:1: header: missing column "user_id"`, `unknown event file type ".xml"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if got := exposuresIn(t, db); got["control"]+got["treatment"] != 3 {
		t.Errorf("the good file was not imported: %v", got)
	}

	// A missing file cannot be read: exit 1, like validate.
	code, _, stderr = runImport(t, "--db", db, filepath.Join(dir, "missing.ndjson"), good)
	if code != 1 || !strings.Contains(stderr, "missing.ndjson") {
		t.Errorf("missing file: exit %d, stderr:\n%s", code, stderr)
	}

	// Usage errors.
	if code, _, stderr := runImport(t, "--db", db, "--batch-size", "0", good); code != 2 || !strings.Contains(stderr, "--batch-size") {
		t.Errorf("batch size 0: exit %d, stderr %s", code, stderr)
	}
	if code, _, _ := runImport(t, good); code != 2 {
		t.Errorf("without --db: exit %d, want 2", code)
	}
	if code, _, stderr := runImport(t, "--db", filepath.Join(dir, "no-such-dir", "x.duckdb"), good); code != 1 || stderr == "" {
		t.Errorf("unopenable database: exit %d, stderr %s", code, stderr)
	}
}

func TestLoadEventFilesForAnalyze(t *testing.T) {
	dir := t.TempDir()
	s, err := duckdb.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	good := writeEventFile(t, dir, "good.ndjson", goodNDJSON+`{"event":"x"}`+"\n")
	var w bytes.Buffer
	if err := loadEventFiles(context.Background(), s, []string{good}, &w); err != nil {
		t.Fatalf("a bad line should only warn: %v", err)
	}
	if !strings.Contains(w.String(), "warning: 1 rejected") || !strings.Contains(w.String(), good+":5: user_id: missing unit") {
		t.Errorf("output lacks the warning:\n%s", w.String())
	}
	header := writeEventFile(t, dir, "header.csv", "event\ne\n")
	if err := loadEventFiles(context.Background(), s, []string{header}, &w); err == nil {
		t.Error("a rejected file should be an error")
	}
}

func TestProgressLine(t *testing.T) {
	cases := []struct {
		done, size int64
		want       string
	}{
		{0, 100, "f.ndjson [>                             ]   0% 7 records"},
		{50, 100, "f.ndjson [===============>              ]  50% 7 records"},
		{100, 100, "f.ndjson [==============================] 100% 7 records"},
		{150, 100, "f.ndjson [==============================] 100% 7 records"},
		{10, 0, "f.ndjson [>                             ]   0% 7 records"},
	}
	for _, c := range cases {
		if got := progressLine("f.ndjson", c.done, c.size, 7); got != c.want {
			t.Errorf("progressLine(%d/%d) =\n%q, want\n%q", c.done, c.size, got, c.want)
		}
	}
	// A bar redraws at most every progressEvery and clears its line when done.
	var buf bytes.Buffer
	bar := newProgressBar(&buf, "f", 10)
	bar.update(5, 1)
	bar.update(6, 2) // too soon: not drawn
	bar.done()
	if want := "\rf [===============>              ]  50% 1 records\033[K\r\033[K"; buf.String() != want {
		t.Errorf("bar output %q, want %q", buf.String(), want)
	}
	// Without a terminal there is no bar at all.
	buf.Reset()
	quiet := newProgressBar(nil, "f", 10)
	quiet.update(5, 1)
	quiet.done()
}
