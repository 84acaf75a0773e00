package plan

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzParse: Parse never panics, fails only with a *ValidationError whose
// problems all say something, and every plan it accepts validates again,
// hashes the same twice, and keeps its hash through a YAML and a JSON round
// trip.
func FuzzParse(f *testing.F) {
	f.Add([]byte(basePlan))
	f.Add([]byte(samePlanWrittenDifferently))
	f.Add([]byte(""))
	f.Add([]byte("id: x\n"))
	f.Add([]byte("a: &a [*a, *a]\nb: &b [*a, *a]\n"))
	f.Add([]byte("- 1\n- 2\n"))
	files, _ := filepath.Glob("testdata/*/*.yaml")
	files = append(files, "../../examples/checkout-v2.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz.yaml")
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if len(ve.Problems) == 0 {
				t.Fatal("ValidationError without problems")
			}
			for _, pr := range ve.Problems {
				if pr.Message == "" {
					t.Fatalf("problem without a message: %+v", pr)
				}
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted plan fails Validate: %v", err)
		}
		h := p.Hash()
		if h == "" || h != p.Hash() {
			t.Fatalf("unstable or empty hash %q", h)
		}

		out, err := yaml.Marshal(p)
		if err != nil {
			t.Fatalf("yaml.Marshal: %v", err)
		}
		again, err := Parse(out, "roundtrip.yaml")
		if err != nil {
			t.Fatalf("re-parsing the marshalled plan: %v\n%s", err, out)
		}
		if again.Hash() != h {
			t.Fatalf("hash changed through YAML: %s -> %s\n%s", h, again.Hash(), out)
		}

		js, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		var fromJSON Plan
		if err := json.Unmarshal(js, &fromJSON); err != nil {
			t.Fatalf("json.Unmarshal: %v\n%s", err, js)
		}
		if fromJSON.Hash() != h {
			t.Fatalf("hash changed through JSON: %s -> %s\n%s", h, fromJSON.Hash(), js)
		}
	})
}
