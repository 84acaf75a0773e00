package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// rPowerCase is one case of pkg/stats/testdata/power.json, written by
// scripts/stats/generate_reference.R from R's power.prop.test and
// power.t.test (two-sided, strict = FALSE) at alpha/(arms-1).
type rPowerCase struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Baseline float64 `json:"baseline"`
	SD       float64 `json:"sd"`
	MDE      float64 `json:"mde"`
	Relative bool    `json:"relative"`
	Alpha    float64 `json:"alpha"`
	Power    float64 `json:"power"`
	Arms     int     `json:"arms"`
	NAt      float64 `json:"n_at"`
	N        float64 `json:"n"`
	PowerAt  float64 `json:"power_at"`
	MDEAt    float64 `json:"mde_at"`
}

func loadRPowerCases(t *testing.T) []rPowerCase {
	t.Helper()
	data, err := os.ReadFile("../../pkg/stats/testdata/power.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []rPowerCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no reference cases")
	}
	return cases
}

func (c rPowerCase) args(format string) []string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	// --flag=value, so that negative values are not read as flags.
	args := []string{"power", "--baseline=" + f(c.Baseline), "--mde=" + f(c.MDE),
		"--alpha=" + f(c.Alpha), "--power=" + f(c.Power), "--arms=" + strconv.Itoa(c.Arms),
		"--n=" + f(c.NAt), "--format=" + format}
	if c.Relative {
		args = append(args, "--relative")
	}
	if c.Kind == "mean" {
		args = append(args, "--sd="+f(c.SD))
	}
	return args
}

// runPowerCLI runs the command line and returns the exit code and both outputs.
func runPowerCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestPowerMatchesR runs `liftgate power --format json` for every R case:
// units per arm are R's n rounded up, the total is that times the arms, and
// the power and MDE at --n are R's.
func TestPowerMatchesR(t *testing.T) {
	for _, c := range loadRPowerCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			code, out, errOut := runPowerCLI(c.args("json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got powerReport
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			want := int64(math.Ceil(c.N))
			// Were R's n within root-finding noise of an integer k, both k
			// and k+1 would be right.
			atInteger := math.Abs(c.N-math.Round(c.N)) < 1e-6 && got.UnitsPerArm == int64(math.Round(c.N))+1
			if got.UnitsPerArm != want && !atInteger {
				t.Errorf("units per arm = %d, want ceil(%v) = %d", got.UnitsPerArm, c.N, want)
			}
			if got.TotalUnits != got.UnitsPerArm*int64(c.Arms) {
				t.Errorf("total = %d, want %d × %d arms", got.TotalUnits, got.UnitsPerArm, c.Arms)
			}
			if got.AtN == nil || got.AtN.Power == nil {
				t.Fatalf("no power at --n in %s", out)
			}
			if math.Abs(*got.AtN.Power-c.PowerAt) > 1e-9 {
				t.Errorf("power at n = %.12g, want %.12g", *got.AtN.Power, c.PowerAt)
			}
			if math.Abs(got.AtN.MDE-c.MDEAt) > 1e-8*math.Abs(c.MDEAt) {
				t.Errorf("MDE at n = %.12g, want %.12g", got.AtN.MDE, c.MDEAt)
			}
		})
	}
}

// The table names the sample size and the total.
func TestPowerTable(t *testing.T) {
	c := loadRPowerCases(t)[0]
	code, out, errOut := runPowerCLI("power", "--baseline", strconv.FormatFloat(c.Baseline, 'g', -1, 64),
		"--mde", strconv.FormatFloat(c.MDE, 'g', -1, 64))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	perArm := int64(math.Ceil(c.N))
	for _, want := range []string{
		"units per arm  " + strconv.FormatInt(perArm, 10),
		"total units    " + strconv.FormatInt(2*perArm, 10) + " (2 arms)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// Bad flags exit non-zero with a message that names the flag.
func TestPowerBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		flag string
	}{
		{"no baseline", []string{"power", "--mde", "0.01"}, "--baseline"},
		{"baseline not a number", []string{"power", "--baseline", "ten", "--mde", "0.01"}, "--baseline"},
		{"proportion baseline above 1", []string{"power", "--baseline", "1.5", "--mde", "0.01"}, "--baseline"},
		{"neither mde nor n", []string{"power", "--baseline", "0.1"}, "--mde"},
		{"zero mde", []string{"power", "--baseline", "0.1", "--mde", "0"}, "--mde"},
		{"mde beyond 1", []string{"power", "--baseline", "0.1", "--mde", "0.95"}, "--mde"},
		{"alpha 1", []string{"power", "--baseline", "0.1", "--mde", "0.01", "--alpha", "1"}, "--alpha"},
		{"power NaN", []string{"power", "--baseline", "0.1", "--mde", "0.01", "--power", "NaN"}, "--power"},
		{"one arm", []string{"power", "--baseline", "0.1", "--mde", "0.01", "--arms", "1"}, "--arms"},
		{"negative sd", []string{"power", "--baseline", "5", "--sd=-1", "--mde", "0.5"}, "--sd"},
		{"zero n", []string{"power", "--baseline", "0.1", "--mde", "0.01", "--n", "0"}, "--n"},
		{"unknown format", []string{"power", "--baseline", "0.1", "--mde", "0.01", "--format", "xml"}, "--format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPowerCLI(tt.args...)
			if code == 0 {
				t.Fatalf("exit 0 for bad flags; output:\n%s", out)
			}
			if !strings.Contains(errOut, tt.flag) {
				t.Errorf("error %q does not name %s", errOut, tt.flag)
			}
		})
	}
}
