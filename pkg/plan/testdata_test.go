package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadPlans parses each file in testdata/bad. A file lists the problems
// it must produce in "# want: " comments, each the start of a problem as
// printed by Problem.String ("LINE:COL: FIELD: MESSAGE"); it must produce
// those and no others.
func TestBadPlans(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad plans found: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var wants []string
			for _, line := range strings.Split(string(data), "\n") {
				if want, ok := strings.CutPrefix(line, "# want: "); ok {
					wants = append(wants, want)
				}
			}
			if len(wants) == 0 {
				t.Fatal("file has no '# want: ' lines")
			}
			problems := problemsOf(t, string(data))
			used := make([]bool, len(problems))
		nextWant:
			for _, want := range wants {
				for i, p := range problems {
					if !used[i] && strings.HasPrefix(p.String(), want) {
						used[i] = true
						continue nextWant
					}
				}
				t.Errorf("missing problem %q", want)
			}
			for i, p := range problems {
				if !used[i] {
					t.Errorf("unexpected problem %q", p.String())
				}
			}
		})
	}
}
