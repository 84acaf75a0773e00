package engine

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// WriteTable renders a result for people: aligned columns, intervals next to
// estimates, verdicts, and the decision with its reasons.
func WriteTable(w io.Writer, r *Result) error {
	var b strings.Builder
	inference := "fixed-horizon (valid for one look at the planned sample size)"
	if r.Sequential {
		inference = "always-valid (confidence sequences; valid at every look)"
	}
	fmt.Fprintf(&b, "Experiment %s   plan %s   evaluated at %s\n", r.Experiment, r.PlanHash, r.EvaluatedAt.Format("2006-01-02T15:04:05Z07:00"))
	fmt.Fprintf(&b, "Inference: %s, alpha %.3g, %s correction\n\n", inference, r.Alpha, r.Correction)

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ARM\tUNITS\tOBSERVED\tEXPECTED")
	for _, a := range r.Arms {
		fmt.Fprintf(tw, "%s\t%d\t%.2f%%\t%.2f%%\n", a.Name, a.Units, 100*a.ObservedWeight, 100*a.ExpectedWeight)
	}
	tw.Flush()
	srm := "ok"
	if r.SRM.Mismatch {
		srm = "MISMATCH: verdicts withheld"
	}
	fmt.Fprintf(&b, "Excluded units (exposed to several arms): %d   units with unknown arm values: %d\n", r.ExcludedUnits, r.UnknownArmUnits)
	fmt.Fprintf(&b, "Sample ratio: chi2 = %.3f, df = %g, p = %.4g (threshold %g): %s\n\n", r.SRM.ChiSquare, r.SRM.DF, r.SRM.PValue, r.SRM.Threshold, srm)

	if t := r.Traffic; t != nil {
		fmt.Fprintf(&b, "Traffic split (telemetry, %s): %s, p = %.4g (threshold %g)", t.Requests, t.Status, t.PValue, t.Threshold)
		for _, a := range t.Arms {
			fmt.Fprintf(&b, "; %s %.2f%% of requests (expected %.2f%%)", a.Name, 100*a.ObservedWeight, 100*a.ExpectedWeight)
		}
		if t.Reason != "" {
			fmt.Fprintf(&b, "\n  %s", t.Reason)
		}
		b.WriteString("\n\n")
	}

	level := fmt.Sprintf("%g%%", 100*(1-r.Alpha))
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	header := "METRIC\tROLE\tARM\t"
	if r.Segment != "" {
		header += strings.ToUpper(r.Segment) + "\t"
	}
	header += "BASELINE\tARM MEAN\tABS. EFFECT [" + level + "]\tREL. EFFECT [" + level + "]\tP\tADJ. P\tVERDICT"
	fmt.Fprintln(tw, header)
	for _, m := range r.Results {
		seg := ""
		if r.Segment != "" {
			seg = "(all)\t"
			if m.SegmentValue != nil {
				seg = *m.SegmentValue + "\t"
			}
		}
		rel := "n/a"
		if m.Relative != nil {
			rel = fmt.Sprintf("%+.2f%% [%+.2f%%, %+.2f%%]", 100*m.Relative.Estimate, 100*m.Relative.CILower, 100*m.Relative.CIUpper)
		}
		abs := fmt.Sprintf("%s [%s, %s]", num(m.Absolute.Estimate, true), num(m.Absolute.CILower, true), num(m.Absolute.CIUpper, true))
		verdict := string(m.Verdict)
		if m.CUPED {
			verdict += " (cuped)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s%s\t%s\t%s\t%s\t%.4g\t%.4g\t%s\n", m.Metric, m.Role, m.Arm, seg,
			num(m.BaselineStats.Mean, false), num(m.ArmStats.Mean, false), abs, rel, m.PValue, m.AdjustedPValue, verdict)
	}
	tw.Flush()

	var notes []string
	for _, m := range r.Results {
		if m.Reason != "" && m.SegmentValue == nil {
			notes = append(notes, fmt.Sprintf("  %s/%s: %s", m.Metric, m.Arm, m.Reason))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, "\nNotes:\n%s\n", strings.Join(notes, "\n"))
	}
	writeHealth(&b, r.Health)
	fmt.Fprintf(&b, "\nDecision at stage %s: %s\n", r.Decision.Stage, strings.ToUpper(r.Decision.Action))
	for _, reason := range r.Decision.Reasons {
		fmt.Fprintf(&b, "  - %s\n", reason)
	}
	writeStageGates(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeStageGates lists each stage's own gate ("may it end now?") when the
// plan has more than one stage: what a controller naming its stage sees.
// On rollback every gate says rollback, so the decision says it all. The
// first reason is enough here; the full list is in the JSON.
func writeStageGates(b *strings.Builder, r *Result) {
	if len(r.StageGates) < 2 || r.Decision.Action == ActionRollback {
		return
	}
	fmt.Fprintf(b, "\nStage gates (may the stage end now?):\n")
	for _, g := range r.StageGates {
		line := fmt.Sprintf("  %-12s %s", g.Stage, strings.ToUpper(g.Decision.Action))
		if len(g.Decision.Reasons) > 0 {
			line += ": " + g.Decision.Reasons[0]
			if n := len(g.Decision.Reasons) - 1; n > 0 {
				line += fmt.Sprintf(" (+%d more)", n)
			}
		}
		fmt.Fprintln(b, line)
	}
}

// num formats a number compactly with about four significant digits.
func num(v float64, signed bool) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if signed {
		return fmt.Sprintf("%+.4g", v)
	}
	return fmt.Sprintf("%.4g", v)
}
