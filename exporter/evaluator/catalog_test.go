package evaluator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/fixture"
)

var start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func statusOf(c *Catalog, file string) FileStatus {
	for _, f := range c.Files {
		if f.File == file {
			return f
		}
	}
	return FileStatus{}
}

func TestLoadDirKeepsLastGoodVersionOfAnInvalidFile(t *testing.T) {
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	fixture.WritePlan(t, dir, "notes.txt", "not a plan")
	first, err := LoadDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !first.OK || len(first.Plans) != 1 || first.Plans["exp-a"] == nil {
		t.Fatalf("first load: %+v, want exp-a loaded", first)
	}
	goodHash := first.Plans["exp-a"].Hash

	// A typo that breaks validation (alpha out of range) must not stop the gate.
	broken := strings.Replace(fixture.PlanYAML("exp-a", start), "alpha: 0.05", "alpha: 5", 1)
	fixture.WritePlan(t, dir, "a.yaml", broken)
	second, err := LoadDir(dir, first)
	if err != nil {
		t.Fatal(err)
	}
	lp := second.Plans["exp-a"]
	if second.OK || lp == nil || !lp.Outdated || lp.Hash != goodHash {
		t.Fatalf("after a bad edit: OK=%v plan=%+v, want the last good version (hash %s) kept and marked outdated", second.OK, lp, goodHash)
	}
	st := statusOf(second, "a.yaml")
	if st.Status != FileInvalid || st.Experiment != "exp-a" || !strings.Contains(st.Err, "alpha") {
		t.Errorf("file status = %+v, want invalid naming analysis.alpha", st)
	}

	// Garbage that is not even YAML: the id comes from the last good version.
	fixture.WritePlan(t, dir, "a.yaml", "id: [unclosed\n  :::")
	third, err := LoadDir(dir, second)
	if err != nil {
		t.Fatal(err)
	}
	if lp := third.Plans["exp-a"]; lp == nil || lp.Hash != goodHash || !lp.Outdated {
		t.Fatalf("after corrupting the file: %+v, want the last good version kept", lp)
	}
	if st := statusOf(third, "a.yaml"); st.Experiment != "exp-a" || st.Status != FileInvalid {
		t.Errorf("status = %+v", st)
	}

	// Fixing the file loads the new version and clears the flag.
	fixed := strings.Replace(fixture.PlanYAML("exp-a", start), "alpha: 0.05", "alpha: 0.01", 1)
	fixture.WritePlan(t, dir, "a.yaml", fixed)
	fourth, err := LoadDir(dir, third)
	if err != nil {
		t.Fatal(err)
	}
	if lp := fourth.Plans["exp-a"]; !fourth.OK || lp.Outdated || lp.Hash == goodHash || lp.Plan.Analysis.Alpha != 0.01 {
		t.Fatalf("after the fix: OK=%v %+v, want the new version", fourth.OK, lp)
	}
}

func TestLoadDirInvalidNewFileRunsNothing(t *testing.T) {
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "new.yml", "id: x\nstart: tomorrow\n")
	c, err := LoadDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.OK || len(c.Plans) != 0 || statusOf(c, "new.yml").Status != FileInvalid {
		t.Fatalf("got %+v, want no plan and an invalid status", c)
	}
}

func TestLoadDirDuplicateIDsFirstFileWins(t *testing.T) {
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "b.yaml", fixture.PlanYAML("same", start))
	fixture.WritePlan(t, dir, "a.yaml", strings.Replace(fixture.PlanYAML("same", start), "owner: tests", "owner: other", 1))
	c, err := LoadDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.OK || len(c.Plans) != 1 || c.Plans["same"].File != "a.yaml" || c.Plans["same"].Plan.Owner != "other" {
		t.Fatalf("got %+v, want a.yaml's plan only", c.Plans)
	}
	if st := statusOf(c, "b.yaml"); st.Status != FileDuplicate || !strings.Contains(st.Err, "a.yaml") {
		t.Errorf("b.yaml status = %+v, want duplicate naming a.yaml", st)
	}
}

func TestLoadDirRemovedFileRemovesPlanAndBadDirKeepsAll(t *testing.T) {
	dir := t.TempDir()
	path := fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	first, _ := LoadDir(dir, nil)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	second, err := LoadDir(dir, first)
	if err != nil || len(second.Plans) != 0 || len(second.Files) != 0 {
		t.Fatalf("after removal: %+v, %v; want nothing", second, err)
	}
	if _, err := LoadDir(filepath.Join(dir, "missing"), first); err == nil {
		t.Fatal("an unreadable directory must be an error")
	}
}
