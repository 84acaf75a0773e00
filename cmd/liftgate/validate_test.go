package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const examplePlan = "../../examples/checkout-v2.yaml"

// exampleHash is the hash of the example plan computed by the independent
// Python reference (pkg/plan/testdata/golden/canonical.py).
func exampleHash(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../pkg/plan/testdata/golden/checkout-v2.hash")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func writePlan(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// badPlan has two problems: alpha on line 9 and the kind on line 11.
const badPlan = `id: bad
start: 2026-11-01T00:00:00Z
control: a
arms: [{name: a, weight: 0.5}, {name: b, weight: 0.5}]
exposure:
  event: e
  experiment_property: x
  arm_property: y
analysis: {alpha: 0.7}
metrics:
  - {name: m, role: primary, kind: median, event: e, direction: increase}
`

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestValidateExample(t *testing.T) {
	code, out, errOut := runCLI("validate", examplePlan)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := "OK " + examplePlan + " id=checkout-v2 hash=" + exampleHash(t) + "\n"
	if out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	bad := writePlan(t, "bad.yaml", badPlan)
	code, out, errOut := runCLI("validate", examplePlan, bad)
	if code != 2 {
		t.Errorf("exit %d, want 2 (a plan is invalid)", code)
	}
	wantLines := []string{
		"OK " + examplePlan + " id=checkout-v2 hash=" + exampleHash(t),
		bad + ":9:19: analysis.alpha: must be in (0, 0.5), got 0.7",
		bad + `:11:36: metrics[0].kind: must be one of conversion, count, mean, ratio, prometheus, got "median"`,
	}
	if got := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); strings.Join(got, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("stdout =\n%s\nwant\n%s", out, strings.Join(wantLines, "\n"))
	}
	if !strings.Contains(errOut, "1 of 2 plans failed validation") {
		t.Errorf("stderr = %q, want a summary", errOut)
	}
}

func TestValidateUnreadableFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	code, out, errOut := runCLI("validate", missing)
	if code != 1 {
		t.Errorf("exit %d, want 1 (could not read)", code)
	}
	if !strings.HasPrefix(out, missing+": read plan: ") {
		t.Errorf("stdout = %q, want the read error for the file", out)
	}
	if !strings.Contains(errOut, "could not be read") {
		t.Errorf("stderr = %q", errOut)
	}
}

func TestValidateJSON(t *testing.T) {
	bad := writePlan(t, "bad.yaml", badPlan)
	code, out, _ := runCLI("validate", "--format", "json", examplePlan, bad)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	var results []struct {
		File     string `json:"file"`
		OK       bool   `json:"ok"`
		ID       string `json:"id"`
		Hash     string `json:"hash"`
		Problems []struct {
			Line    int    `json:"line"`
			Column  int    `json:"column"`
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if len(results) != 2 {
		t.Fatalf("got %d results, want 2", len(results))
	}
	good, failed := results[0], results[1]
	if good.File != examplePlan || !good.OK || good.ID != "checkout-v2" || good.Hash != exampleHash(t) || len(good.Problems) != 0 {
		t.Errorf("good result = %+v", good)
	}
	if failed.File != bad || failed.OK || failed.ID != "bad" || failed.Hash != "" || len(failed.Problems) != 2 {
		t.Fatalf("bad result = %+v", failed)
	}
	if p := failed.Problems[0]; p.Line != 9 || p.Column != 19 || p.Field != "analysis.alpha" || !strings.Contains(p.Message, "(0, 0.5)") {
		t.Errorf("first problem = %+v", p)
	}
	if !strings.Contains(out, `"problems": []`) {
		t.Error("a valid plan should list its problems as [], not null")
	}
}

func TestValidateUsage(t *testing.T) {
	if code, _, _ := runCLI("validate"); code != 2 {
		t.Errorf("no plan: exit %d, want 2 (usage)", code)
	}
	if code, _, _ := runCLI("validate", "--format", "xml", examplePlan); code != 2 {
		t.Errorf("unknown format: exit %d, want 2 (usage)", code)
	}
}
