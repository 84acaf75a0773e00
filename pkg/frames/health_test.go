package frames

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/models"
)

func healthResult(status string, checks ...engine.HealthCheck) *engine.Result {
	end := time.Date(2026, 11, 3, 11, 45, 0, 0, time.UTC)
	return &engine.Result{
		Experiment: "exp", EvaluatedAt: time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC),
		Health: &engine.HealthResult{Status: status, DataEnd: end, Checks: checks, Notes: []string{"duplicate ids not checked"}},
	}
}

var unknownArmWarn = engine.HealthCheck{
	Name: "unknown_arm", Status: engine.HealthWarn, Count: 3, Total: 200, Rate: 0.015, Warn: 0.001, Block: 0.05,
	Message:  "3 of 200 exposures with an arm value the plan does not name",
	Examples: []events.HealthExample{{Unit: "u7", Value: "treatment-b"}},
}

var missingUnitOK = engine.HealthCheck{Name: "missing_unit", Status: engine.HealthOK, Total: 200, Warn: 0, Block: 0.01, Message: "0 of 200"}

// One row per check in numeric-long shape, with the status as a code an
// alert rule can compare, and the overall status beside the rows.
func TestHealthFrameRows(t *testing.T) {
	f := Health(healthResult(engine.HealthWarn, unknownArmWarn, missingUnitOK), "analyze")
	if f.Meta.Type != data.FrameTypeNumericLong {
		t.Fatalf("frame type %s, want numeric-long", f.Meta.Type)
	}
	if n, _ := f.RowLen(); n != 2 {
		t.Fatalf("%d rows, want one per check (2)", n)
	}
	col := func(name string, i int) any {
		t.Helper()
		fld, idx := f.FieldByName(name)
		if idx < 0 {
			t.Fatalf("no field %q", name)
		}
		if v, ok := fld.At(i).(*float64); ok {
			if v == nil {
				return nil
			}
			return *v
		}
		return fld.At(i)
	}
	want := []map[string]any{
		{"check": "unknown_arm", "status": "warn", "status_code": 1.0, "count": 3.0, "total": 200.0, "rate": 0.015, "warn": 0.001, "block": 0.05, "example": `unit u7 value "treatment-b"`},
		{"check": "missing_unit", "status": "ok", "status_code": 0.0, "count": 0.0, "total": 200.0, "rate": 0.0, "warn": 0.0, "block": 0.01, "example": ""},
	}
	for i, row := range want {
		for name, v := range row {
			if got := col(name, i); got != v {
				t.Errorf("row %d %s = %v, want %v", i, name, got, v)
			}
		}
	}
	custom := f.Meta.Custom.(map[string]any)
	if custom["status"] != "warn" || custom["dataEnd"] != "2026-11-03T11:45:00Z" {
		t.Errorf("custom metadata %v, want status warn and the data end", custom)
	}
	if len(f.Meta.Notices) != 2 || f.Meta.Notices[0].Severity != data.NoticeSeverityWarning || !strings.Contains(f.Meta.Notices[0].Text, "warn") {
		t.Errorf("notices %+v, want a warning summary and the note", f.Meta.Notices)
	}
}

func TestHealthStatusCodes(t *testing.T) {
	for status, want := range map[string]float64{"ok": 0, "warn": 1, "block": 2, "bad": -1} {
		if got := HealthStatusCode(status); got != want {
			t.Errorf("HealthStatusCode(%q) = %g, want %g", status, got, want)
		}
	}
}

// A result without a health section is an empty table, not a panic.
func TestHealthFrameWithoutSection(t *testing.T) {
	f := Health(&engine.Result{Experiment: "exp"}, "analyze")
	if n, _ := f.RowLen(); n != 0 || len(f.Meta.Notices) != 1 {
		t.Fatalf("rows %d, notices %+v; want none and one notice", n, f.Meta.Notices)
	}
}

// Warn and block become an annotation at the evaluation time naming the
// failing checks only; ok makes none.
func TestHealthAnnotation(t *testing.T) {
	if _, ok := HealthAnnotation(healthResult(engine.HealthOK, missingUnitOK)); ok {
		t.Fatal("an ok health made an annotation")
	}
	blocking := unknownArmWarn
	blocking.Status = engine.HealthBlock
	a, ok := HealthAnnotation(healthResult(engine.HealthBlock, blocking, missingUnitOK))
	if !ok {
		t.Fatal("a blocking health made no annotation")
	}
	if !a.Time.Equal(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)) || a.Kind != models.AnnotationHealth {
		t.Errorf("annotation at %s kind %s, want the evaluation time and kind health", a.Time, a.Kind)
	}
	if a.Title != "exp: data health block (verdicts withheld)" {
		t.Errorf("title %q", a.Title)
	}
	if !strings.Contains(a.Text, "BLOCK unknown_arm: 3 of 200") || !strings.Contains(a.Text, "treatment-b") || strings.Contains(a.Text, "missing_unit") {
		t.Errorf("text %q should name the failing check with its example and leave out the passing one", a.Text)
	}
}
