package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"

	"github.com/alecthomas/kingpin/v2"

	"github.com/liftgate/liftgate/pkg/stats"
)

// powerFlags are the parsed flags of `liftgate power`.
type powerFlags struct {
	baseline, mde, alpha, power, sd, n, arms float64
	relative                                 bool
	format                                   string
	mdeSet, sdSet, nSet                      bool
}

// numberFlag parses a number and, unlike kingpin's own parsers, names the
// flag when the text is not a number.
type numberFlag struct {
	name   string
	target *float64
}

func (v *numberFlag) Set(s string) error {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("--%s: %q is not a finite number", v.name, s)
	}
	*v.target = x
	return nil
}

func (v *numberFlag) String() string { return strconv.FormatFloat(*v.target, 'g', -1, 64) }

// registerPower adds `liftgate power`: units per arm for a planned
// experiment, and with --n the power and MDE at that size.
func registerPower(app *kingpin.Application) (string, runner) {
	f := &powerFlags{}
	cmd := app.Command("power", "Plan an experiment's size: units per arm to detect --mde on a proportion, or on a mean metric with --sd; with --n, the power and the MDE at that size. Two-sided tests as R's power.prop.test and power.t.test; with more than 2 arms each treatment is compared with control at alpha/(arms-1).")
	number := func(name string, target *float64) *numberFlag { return &numberFlag{name: name, target: target} }
	cmd.Flag("baseline", "Control conversion rate for a proportion (e.g. 0.10), or control mean for a mean metric (with --sd).").
		Required().SetValue(number("baseline", &f.baseline))
	cmd.Flag("mde", "Minimum detectable effect: absolute, or a fraction of the baseline with --relative (0.04 = 4%).").
		IsSetByUser(&f.mdeSet).SetValue(number("mde", &f.mde))
	cmd.Flag("relative", "Read --mde (and report the MDE at --n) relative to the baseline.").BoolVar(&f.relative)
	cmd.Flag("alpha", "Family-wise two-sided significance level.").Default("0.05").SetValue(number("alpha", &f.alpha))
	cmd.Flag("power", "Desired power of each treatment-vs-control comparison.").Default("0.8").SetValue(number("power", &f.power))
	cmd.Flag("arms", "Number of arms, control included.").Default("2").SetValue(number("arms", &f.arms))
	cmd.Flag("sd", "Per-unit standard deviation: plan a mean metric (Welch/t test) instead of a proportion.").
		IsSetByUser(&f.sdSet).SetValue(number("sd", &f.sd))
	cmd.Flag("n", "Units per arm: also report the power and the MDE at this size.").IsSetByUser(&f.nSet).SetValue(number("n", &f.n))
	cmd.Flag("format", "Output format: table or json.").Default("table").StringVar(&f.format)
	return cmd.FullCommand(), func(ctx context.Context, out io.Writer) error {
		report, err := planPower(f)
		if err != nil {
			return err
		}
		if f.format == "json" {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(report)
		}
		return writePowerTable(out, report)
	}
}

// powerReport is what `liftgate power` prints.
type powerReport struct {
	Metric             string       `json:"metric"` // "proportion" or "mean"
	Baseline           float64      `json:"baseline"`
	SD                 float64      `json:"sd,omitempty"`
	MDE                float64      `json:"mde,omitempty"`          // as given
	AbsoluteMDE        float64      `json:"absolute_mde,omitempty"` // in the metric's units
	Relative           bool         `json:"relative"`
	Alpha              float64      `json:"alpha"`
	AlphaPerComparison float64      `json:"alpha_per_comparison"`
	Power              float64      `json:"power"`
	Arms               int          `json:"arms"`
	UnitsPerArm        int64        `json:"units_per_arm,omitempty"` // rounded up
	TotalUnits         int64        `json:"total_units,omitempty"`
	AtN                *powerAtSize `json:"at_n,omitempty"`
}

// powerAtSize reports a given size's power (for --mde) and MDE.
type powerAtSize struct {
	UnitsPerArm float64  `json:"units_per_arm"`
	Power       *float64 `json:"power,omitempty"` // only with --mde
	MDE         float64  `json:"mde"`             // relative when --relative
	AbsoluteMDE float64  `json:"absolute_mde"`
}

// planPower validates the flags and computes the report.
func planPower(f *powerFlags) (powerReport, error) {
	if !f.mdeSet && !f.nSet {
		return powerReport{}, errors.New("--mde is required (or --n to get the MDE at a given size)")
	}
	if f.format != "table" && f.format != "json" {
		return powerReport{}, fmt.Errorf("--format: must be table or json, got %q", f.format)
	}
	if f.arms < 2 || f.arms != math.Trunc(f.arms) || f.arms > 1000 {
		return powerReport{}, fmt.Errorf("--arms: must be a whole number of arms from 2 to 1000 (control included), got %g", f.arms)
	}
	arms := int(f.arms)
	in := stats.PowerInput{Kind: stats.KindProportion, Baseline: f.baseline, MDE: f.mde, Relative: f.relative,
		Alpha: f.alpha, Power: f.power, Arms: arms}
	report := powerReport{Metric: "proportion", Baseline: f.baseline, Relative: f.relative,
		Alpha: f.alpha, Power: f.power, Arms: arms}
	if f.sdSet {
		in.Kind, in.SD = stats.KindMean, f.sd
		report.Metric, report.SD = "mean", f.sd
	}
	report.AlphaPerComparison = f.alpha / float64(arms-1)
	absolute := func(mde float64) float64 {
		if f.relative {
			return mde * math.Abs(f.baseline)
		}
		return mde
	}

	if f.mdeSet {
		n, err := stats.SampleSize(in)
		if err != nil {
			return powerReport{}, flagError(err)
		}
		report.MDE, report.AbsoluteMDE = f.mde, absolute(f.mde)
		report.UnitsPerArm = int64(math.Ceil(n))
		report.TotalUnits = report.UnitsPerArm * int64(arms)
	}
	if f.nSet {
		at := &powerAtSize{UnitsPerArm: f.n}
		if f.mdeSet {
			p, err := stats.PowerAt(in, f.n)
			if err != nil {
				return powerReport{}, flagError(err)
			}
			at.Power = &p
		}
		mde, err := stats.MDEAt(in, f.n)
		if err != nil {
			return powerReport{}, flagError(err)
		}
		at.MDE, at.AbsoluteMDE = mde, absolute(mde)
		report.AtN = at
	}
	return report, nil
}

// flagOfField names the flag behind each stats.PowerInput field.
var flagOfField = map[string]string{
	"Kind": "--sd", "Baseline": "--baseline", "SD": "--sd", "MDE": "--mde", "Alpha": "--alpha",
	"Power": "--power", "Arms": "--arms", "nPerArm": "--n",
}

// flagError rewrites a stats input error in terms of the flag the user typed.
func flagError(err error) error {
	var ie *stats.InputError
	if errors.As(err, &ie) {
		if flag, ok := flagOfField[ie.Field]; ok {
			return fmt.Errorf("%s: %s", flag, ie.Message)
		}
	}
	return err
}

// writePowerTable prints the report as aligned "name  value" lines.
func writePowerTable(out io.Writer, r powerReport) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	test := "two-sided z test (power.prop.test)"
	if r.Metric == "mean" {
		test = "two-sided t test (power.t.test)"
	}
	fmt.Fprintf(tw, "metric\t%s, %s\n", r.Metric, test)
	fmt.Fprintf(tw, "baseline\t%g\n", r.Baseline)
	if r.Metric == "mean" {
		fmt.Fprintf(tw, "sd\t%g\n", r.SD)
	}
	comparisons := r.Arms - 1
	fmt.Fprintf(tw, "alpha\t%g (%.4g per comparison, %d comparison(s) with control)\n", r.Alpha, r.AlphaPerComparison, comparisons)
	fmt.Fprintf(tw, "power\t%g\n", r.Power)
	if r.UnitsPerArm > 0 {
		fmt.Fprintf(tw, "mde\t%s\n", describeMDE(r.MDE, r.AbsoluteMDE, r.Relative))
		fmt.Fprintf(tw, "units per arm\t%d\n", r.UnitsPerArm)
		fmt.Fprintf(tw, "total units\t%d (%d arms)\n", r.TotalUnits, r.Arms)
	}
	if r.AtN != nil {
		fmt.Fprintf(tw, "at units per arm\t%g\n", r.AtN.UnitsPerArm)
		if r.AtN.Power != nil {
			fmt.Fprintf(tw, "  power\t%.4f\n", *r.AtN.Power)
		}
		fmt.Fprintf(tw, "  mde at %g power\t%s\n", r.Power, describeMDE(r.AtN.MDE, r.AtN.AbsoluteMDE, r.Relative))
	}
	return tw.Flush()
}

func describeMDE(mde, absolute float64, relative bool) string {
	if relative {
		return fmt.Sprintf("%.4g relative (%.6g absolute)", mde, absolute)
	}
	return fmt.Sprintf("%.6g absolute", absolute)
}
