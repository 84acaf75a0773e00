package server

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// forestRow is one arm's effect on one metric.
type forestRow struct {
	arm                    string
	verdict                stats.Verdict
	estimate, lower, upper float64
	hasInterval            bool
}

// Geometry of a forest plot, in SVG user units.
const (
	forestWidth    = 860
	forestLabelW   = 120 // arm names
	forestPlotW    = 360 // the axis
	forestRowH     = 30
	forestTopPad   = 8
	forestAxisPad  = 30 // room for tick labels under the rows
	forestTextX    = forestLabelW + forestPlotW + 14
	forestMinRange = 1e-9
)

// verdictColors keep the verdicts apart for color-blind readers too: the
// shapes differ as well (filled for a clear verdict, hollow otherwise).
var verdictColors = map[stats.Verdict]string{
	stats.Beneficial:       "#1a7f37",
	stats.Harmful:          "#cf222e",
	stats.Inconclusive:     "#57606a",
	stats.InsufficientData: "#8c959f",
}

// forestPlot draws one metric's effects with their intervals, one row per
// treatment arm, against zero and the metric's margin. It plots the
// relative lift when every arm has one, else the absolute effect. The SVG
// is self-contained: no script, no external asset.
func forestPlot(m plan.Metric, verdicts []evaluator.CurrentVerdict) template.HTML {
	rows, relative := forestRows(m, verdicts)
	margin, hasMargin := marginLine(m, relative)

	lo, hi := 0.0, 0.0
	for _, r := range rows {
		if r.hasInterval {
			lo, hi = math.Min(lo, r.lower), math.Max(hi, r.upper)
		}
	}
	if hasMargin {
		lo, hi = math.Min(lo, margin), math.Max(hi, margin)
	}
	span := math.Max(math.Max(-lo, hi), forestMinRange) * 1.15
	x := func(v float64) float64 { return forestLabelW + (v+span)/(2*span)*forestPlotW }

	height := forestTopPad + len(rows)*forestRowH + forestAxisPad
	var b strings.Builder
	unit := "absolute effect"
	if relative {
		unit = "relative lift"
	}
	fmt.Fprintf(&b, `<svg class="forest-plot" data-metric="%s" role="img" aria-label="%s: %s per arm with intervals" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(m.Name), html.EscapeString(m.Name), unit, forestWidth, height, forestWidth, height)
	bottom := forestTopPad + len(rows)*forestRowH
	// Zero and the margin span every row.
	fmt.Fprintf(&b, `<line class="zero" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#24292f" stroke-width="1"/>`, x(0), forestTopPad, x(0), bottom)
	if hasMargin {
		fmt.Fprintf(&b, `<line class="margin" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#cf222e" stroke-width="1" stroke-dasharray="4 3"><title>margin %s</title></line>`,
			x(margin), forestTopPad, x(margin), bottom, formatEffect(margin, relative))
	}
	for i, r := range rows {
		cy := forestTopPad + i*forestRowH + forestRowH/2
		color := verdictColors[r.verdict]
		fmt.Fprintf(&b, `<g class="row" data-arm="%s" data-verdict="%s">`, html.EscapeString(r.arm), r.verdict)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" dominant-baseline="middle" font-size="13">%s</text>`, forestLabelW-10, cy, html.EscapeString(r.arm))
		if r.hasInterval {
			fmt.Fprintf(&b, `<line class="interval" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="2"/>`, x(r.lower), cy, x(r.upper), cy, color)
			for _, end := range []float64{r.lower, r.upper} {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="2"/>`, x(end), cy-5, x(end), cy+5, color)
			}
			fill := color
			if r.verdict != stats.Beneficial && r.verdict != stats.Harmful {
				fill = "#ffffff"
			}
			fmt.Fprintf(&b, `<circle class="estimate" cx="%.1f" cy="%d" r="5" fill="%s" stroke="%s" stroke-width="2"/>`, x(r.estimate), cy, fill, color)
			fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle" font-size="12" fill="%s">%s [%s, %s] %s</text>`,
				forestTextX, cy, color, formatEffect(r.estimate, relative), formatEffect(r.lower, relative), formatEffect(r.upper, relative), verdictLabel(r.verdict))
		} else {
			fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle" font-size="12" fill="%s">no interval: %s</text>`,
				forestLabelW+10, cy, color, verdictLabel(r.verdict))
		}
		b.WriteString(`</g>`)
	}
	// Axis ticks at -span, 0, +span (rounded labels), and what is plotted.
	for _, v := range []float64{-span / 1.15, 0, span / 1.15} {
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle" font-size="11" fill="#57606a">%s</text>`, x(v), bottom+18, formatEffect(v, relative))
	}
	caption := "absolute effect, treatment - control"
	if relative {
		caption = "relative lift, (treatment - control) / control"
	}
	if hasMargin {
		caption += "; dashed: margin"
	}
	fmt.Fprintf(&b, `<text class="caption" x="%d" y="%d" font-size="11" fill="#57606a">%s</text>`, forestTextX, bottom+18, caption)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built above from escaped text and formatted numbers only
}

// forestRows picks the rows of one metric and whether they are relative.
func forestRows(m plan.Metric, verdicts []evaluator.CurrentVerdict) ([]forestRow, bool) {
	var rows []forestRow
	relative := true
	for _, cv := range verdicts {
		if cv.Metric != m.Name {
			continue
		}
		r := forestRow{arm: cv.Arm, verdict: cv.Verdict}
		if res := cv.Result; res != nil && (res.BaselineStats.N > 0 || res.ArmStats.N > 0) {
			r.hasInterval = finite(res.Absolute.Estimate, res.Absolute.CILower, res.Absolute.CIUpper)
			if res.Relative == nil || !finite(res.Relative.Estimate, res.Relative.CILower, res.Relative.CIUpper) {
				relative = false
			}
		}
		rows = append(rows, r)
	}
	for i, cv := range matching(verdicts, m.Name) {
		if !rows[i].hasInterval {
			continue
		}
		iv := cv.Result.Absolute
		if relative {
			iv = *cv.Result.Relative
		}
		rows[i].estimate, rows[i].lower, rows[i].upper = iv.Estimate, iv.CILower, iv.CIUpper
	}
	return rows, relative
}

func matching(verdicts []evaluator.CurrentVerdict, metric string) []evaluator.CurrentVerdict {
	var out []evaluator.CurrentVerdict
	for _, cv := range verdicts {
		if cv.Metric == metric {
			out = append(out, cv)
		}
	}
	return out
}

// marginLine is where harm begins for the metric, on the plotted scale: the
// margin on the bad side of zero.
func marginLine(m plan.Metric, relative bool) (float64, bool) {
	if m.Margin == nil {
		return 0, false
	}
	v := m.Margin.Absolute
	if relative {
		v = m.Margin.Relative
	}
	if v == 0 {
		return 0, false
	}
	if m.Direction == "decrease" {
		return v, true // an increase is bad
	}
	return -v, true
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func formatEffect(v float64, relative bool) string {
	if relative {
		return fmt.Sprintf("%+.2f%%", 100*v)
	}
	return fmt.Sprintf("%+.4g", v)
}

func verdictLabel(v stats.Verdict) string {
	return strings.ReplaceAll(string(v), "_", " ")
}
