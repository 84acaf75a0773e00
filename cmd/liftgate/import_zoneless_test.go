package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The import summary reports, per file and in total, how many accepted
// timestamps had no zone and were read as UTC (goodNDJSON's PostHog line is
// "2024-05-01 12:00:00"; goodCSV has a Z and an epoch).
func TestImportCountsZonelessTimestamps(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "events.duckdb")
	nd := writeEventFile(t, dir, "a.ndjson", goodNDJSON)
	cs := writeEventFile(t, dir, "b.csv", goodCSV+"exposure,u6,2024-05-02 08:00:00,exp1,treatment\nexposure,u7,2024-05-02,exp1,control\n")

	code, stdout, stderr := runImport(t, "--db", db, nd, cs)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		nd + ": 4 records read, 3 inserted, 0 duplicates, 1 skipped, 0 rejected, 1 zoneless timestamps read as UTC",
		cs + ": 4 records read, 4 inserted, 0 duplicates, 0 skipped, 0 rejected, 2 zoneless timestamps read as UTC",
		"total: 2 files, 8 records read, 7 inserted, 0 duplicates, 1 skipped, 0 rejected, 3 zoneless timestamps read as UTC",
	} {
		if !strings.Contains(stdout, want+"\n") {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}
