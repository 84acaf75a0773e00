package frames

import (
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/models"
)

// HealthStatusCode orders health statuses for alert rules: 0 ok, 1 warn,
// 2 block (an alert on "blocks verdicts" is `>= 2`); -1 for a status this
// version does not know.
func HealthStatusCode(status string) float64 {
	switch status {
	case engine.HealthOK:
		return 0
	case engine.HealthWarn:
		return 1
	case engine.HealthBlock:
		return 2
	}
	return -1
}

// Health is the data-health table of one evaluation: one row per check,
// numeric-long shaped (string dimensions, then numbers), so Grafana
// Alerting can evaluate status_code or rate per check. The overall status,
// the data end and the watermark travel in the frame's custom metadata and
// in a notice; the engine's notes become notices too. A result without a
// health section (an engine that did not run the checks) gives an empty
// table and a notice saying so.
func Health(res *engine.Result, executed string) *data.Frame {
	f := data.NewFrame("health",
		stringField("experiment", "", []string{}),
		stringField("check", "Check", []string{}),
		stringField("subject", "Subject", []string{}),
		stringField("status", "Status", []string{}),
		floatField("status_code", "Status code", unitNone, nil, []*float64{}),
		floatField("count", "Count", unitShort, nil, []*float64{}),
		floatField("total", "Total", unitShort, nil, []*float64{}),
		floatField("rate", "Rate", unitPercent, nil, []*float64{}),
		floatField("warn", "Warn above", unitPercent, nil, []*float64{}),
		floatField("block", "Block above", unitPercent, nil, []*float64{}),
		stringField("message", "Message", []string{}),
		stringField("example", "Example", []string{}),
	)
	f.Meta = meta(data.FrameTypeNumericLong, executed, data.VisTypeTable)
	h := res.Health
	if h == nil {
		f.AppendNotices(data.Notice{Severity: data.NoticeSeverityInfo, Text: "this result has no data-health section"})
		return f
	}
	for _, c := range h.Checks {
		example := ""
		if len(c.Examples) > 0 {
			example = fmt.Sprint(c.Examples[0])
		}
		f.AppendRow(res.Experiment, c.Name, c.Subject, c.Status, num(HealthStatusCode(c.Status)),
			num(float64(c.Count)), num(float64(c.Total)), num(c.Rate), num(c.Warn), num(c.Block), c.Message, example)
	}
	custom := map[string]any{"status": h.Status, "statusCode": HealthStatusCode(h.Status), "dataEnd": h.DataEnd.UTC().Format(time.RFC3339Nano)}
	if h.Watermark != nil {
		custom["watermark"] = h.Watermark.UTC().Format(time.RFC3339Nano)
	}
	f.Meta.Custom = custom
	f.AppendNotices(data.Notice{Severity: healthSeverity(h.Status), Text: healthSummary(res)})
	for _, n := range h.Notes {
		f.AppendNotices(data.Notice{Severity: data.NoticeSeverityInfo, Text: n})
	}
	return f
}

// healthSummary is one line: the overall status and the window.
func healthSummary(res *engine.Result) string {
	h := res.Health
	s := fmt.Sprintf("Data health of %s: %s; data up to %s", res.Experiment, h.Status, h.DataEnd.UTC().Format(time.RFC3339))
	if h.Watermark != nil {
		s += ", watermark " + h.Watermark.UTC().Format(time.RFC3339)
	}
	return s + "."
}

func healthSeverity(status string) data.NoticeSeverity {
	switch status {
	case engine.HealthBlock:
		return data.NoticeSeverityError
	case engine.HealthWarn:
		return data.NoticeSeverityWarning
	}
	return data.NoticeSeverityInfo
}

// HealthAnnotation marks an evaluation whose data health is warn or block
// at its evaluation time, with the failing checks as evidence; ok is false
// when everything is fine (or there is no health section).
func HealthAnnotation(res *engine.Result) (a Annotation, ok bool) {
	h := res.Health
	if h == nil || h.Status == engine.HealthOK {
		return Annotation{}, false
	}
	var lines []string
	for _, c := range h.Checks {
		if c.Status == engine.HealthOK {
			continue
		}
		name := c.Name
		if c.Subject != "" {
			name += " (" + c.Subject + ")"
		}
		line := fmt.Sprintf("%s %s: %s", strings.ToUpper(c.Status), name, c.Message)
		if len(c.Examples) > 0 {
			line += fmt.Sprintf(", e.g. %v", c.Examples[0])
		}
		lines = append(lines, line+".")
	}
	title := fmt.Sprintf("%s: data health %s", res.Experiment, h.Status)
	if h.Blocked() {
		title += " (verdicts withheld)"
	}
	return Annotation{
		Time:  res.EvaluatedAt,
		Kind:  models.AnnotationHealth,
		Title: title,
		Text:  strings.Join(lines, " "),
		Tags:  []string{"liftgate", "health", res.Experiment, h.Status},
	}, true
}
