package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed example events must be exactly what the committed generator
// writes with the Makefile's flags, so `make example-data` reproduces them
// and nobody can hand-edit the data a README result comes from.
func TestCommittedExampleIsReproducible(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	var flags []string
	for _, line := range strings.Split(string(mk), "\n") {
		if v, ok := strings.CutPrefix(line, "EXAMPLE_FLAGS :="); ok {
			flags = strings.Fields(v)
		}
	}
	if len(flags) == 0 {
		t.Fatal("EXAMPLE_FLAGS not found in the Makefile")
	}
	out := filepath.Join(t.TempDir(), "example.ndjson.gz")
	os.Args = append(append([]string{"generate"}, flags...), "-out", out)
	main()

	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../data/checkout-v2.ndjson.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("examples/data/checkout-v2.ndjson.gz differs from the generator's output (%d vs %d bytes): run make example-data", len(want), len(got))
	}
}
