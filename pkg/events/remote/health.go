package remote

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// PathHealth serves the data-health checks of the wrapped source.
const PathHealth = "/api/v1/events/health"

// ErrHealthUnsupported is returned by Client.Health when the served source
// does not run data-health checks (the server answers 501).
var ErrHealthUnsupported = events.ErrHealthUnsupported

var _ events.HealthChecker = (*Client)(nil)

type wireHealthRequest struct {
	Scope            wireScope   `json:"scope"`
	Events           []string    `json:"events,omitempty"`
	Properties       []wireValue `json:"properties,omitempty"`
	Now              time.Time   `json:"now"`
	ClockSkewSeconds float64     `json:"clock_skew_seconds"`
	Examples         int         `json:"examples,omitempty"`
}

type wireHealthExample struct {
	ID    string    `json:"id,omitempty"`
	Unit  string    `json:"unit,omitempty"`
	Value string    `json:"value,omitempty"`
	Time  time.Time `json:"time,omitzero"`
}

type wireHealthCount struct {
	Count    int64               `json:"count"`
	Examples []wireHealthExample `json:"examples,omitempty"`
}

type wirePropertyHealth struct {
	Event      string          `json:"event"`
	Property   string          `json:"property"`
	Events     int64           `json:"events"`
	Missing    wireHealthCount `json:"missing"`
	NonNumeric wireHealthCount `json:"non_numeric"`
}

type wireHealthReport struct {
	Exposures         int64                `json:"exposures"`
	ExposedUnits      int64                `json:"exposed_units"`
	UnknownArm        wireHealthCount      `json:"unknown_arm"`
	MissingUnit       wireHealthCount      `json:"missing_unit"`
	MissingArm        wireHealthCount      `json:"missing_arm"`
	MultiArmUnits     wireHealthCount      `json:"multi_arm_units"`
	BeforeStart       wireHealthCount      `json:"before_start"`
	Events            int64                `json:"events"`
	Future            wireHealthCount      `json:"future"`
	Duplicates        wireHealthCount      `json:"duplicates"`
	DuplicatesChecked bool                 `json:"duplicates_checked"`
	Properties        []wirePropertyHealth `json:"properties"`
	Watermark         time.Time            `json:"watermark,omitzero"`
}

// Health implements events.HealthChecker by asking the server. A server
// whose source has no health checks gives an error wrapping
// ErrHealthUnsupported.
func (c *Client) Health(ctx context.Context, s events.Scope, req events.HealthRequest) (events.HealthReport, error) {
	if err := req.Validate(); err != nil {
		return events.HealthReport{}, fmt.Errorf("remote: %w", err)
	}
	var resp wireHealthReport
	if err := c.post(ctx, PathHealth, toWireHealthRequest(s, req), &resp); err != nil {
		if strings.Contains(err.Error(), PathHealth+": 501 ") || strings.Contains(err.Error(), PathHealth+": 404 ") { // 404: an exporter from before the route
			return events.HealthReport{}, fmt.Errorf("%w (%v)", ErrHealthUnsupported, err)
		}
		return events.HealthReport{}, err
	}
	return fromWireHealthReport(resp), nil
}

// healthHandler answers PathHealth from src when it is an
// events.HealthChecker, and with 501 otherwise.
func healthHandler(src events.Source, opts HandlerOptions) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req wireHealthRequest
		if !decode(w, r, opts, &req) {
			return
		}
		checker, ok := src.(events.HealthChecker)
		if !ok {
			writeError(w, http.StatusNotImplemented, fmt.Errorf("event source %s does not run data-health checks", src.Name()))
			return
		}
		scope, hreq := fromWireHealthRequest(req)
		if err := hreq.Validate(); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		report, err := checker.Health(r.Context(), scope, hreq)
		if err != nil {
			writeError(w, statusFor(err), err)
			return
		}
		writeJSON(w, http.StatusOK, toWireHealthReport(report))
	}
}

func toWireHealthRequest(s events.Scope, r events.HealthRequest) wireHealthRequest {
	w := wireHealthRequest{Scope: toWireScope(s), Events: r.Events, Now: r.Now, ClockSkewSeconds: seconds(r.ClockSkew), Examples: r.Examples}
	for _, p := range r.Properties {
		w.Properties = append(w.Properties, wireValue(p))
	}
	return w
}

func fromWireHealthRequest(w wireHealthRequest) (events.Scope, events.HealthRequest) {
	r := events.HealthRequest{Events: w.Events, Now: w.Now, ClockSkew: duration(w.ClockSkewSeconds), Examples: w.Examples}
	for _, p := range w.Properties {
		r.Properties = append(r.Properties, events.EventValue(p))
	}
	return fromWireScope(w.Scope), r
}

func toWireHealthCount(c events.HealthCount) wireHealthCount {
	w := wireHealthCount{Count: c.Count}
	for _, e := range c.Examples {
		w.Examples = append(w.Examples, wireHealthExample(e))
	}
	return w
}

func fromWireHealthCount(w wireHealthCount) events.HealthCount {
	c := events.HealthCount{Count: w.Count}
	for _, e := range w.Examples {
		c.Examples = append(c.Examples, events.HealthExample(e))
	}
	return c
}

func toWireHealthReport(r events.HealthReport) wireHealthReport {
	w := wireHealthReport{
		Exposures: r.Exposures, ExposedUnits: r.ExposedUnits,
		UnknownArm: toWireHealthCount(r.UnknownArm), MissingUnit: toWireHealthCount(r.MissingUnit),
		MissingArm: toWireHealthCount(r.MissingArm), MultiArmUnits: toWireHealthCount(r.MultiArmUnits),
		BeforeStart: toWireHealthCount(r.BeforeStart), Events: r.Events, Future: toWireHealthCount(r.Future),
		Duplicates: toWireHealthCount(r.Duplicates), DuplicatesChecked: r.DuplicatesChecked,
		Properties: []wirePropertyHealth{}, Watermark: r.Watermark,
	}
	for _, p := range r.Properties {
		w.Properties = append(w.Properties, wirePropertyHealth{Event: p.Event, Property: p.Property, Events: p.Events,
			Missing: toWireHealthCount(p.Missing), NonNumeric: toWireHealthCount(p.NonNumeric)})
	}
	return w
}

func fromWireHealthReport(w wireHealthReport) events.HealthReport {
	r := events.HealthReport{
		Exposures: w.Exposures, ExposedUnits: w.ExposedUnits,
		UnknownArm: fromWireHealthCount(w.UnknownArm), MissingUnit: fromWireHealthCount(w.MissingUnit),
		MissingArm: fromWireHealthCount(w.MissingArm), MultiArmUnits: fromWireHealthCount(w.MultiArmUnits),
		BeforeStart: fromWireHealthCount(w.BeforeStart), Events: w.Events, Future: fromWireHealthCount(w.Future),
		Duplicates: fromWireHealthCount(w.Duplicates), DuplicatesChecked: w.DuplicatesChecked,
		Properties: make([]events.PropertyHealth, 0, len(w.Properties)), Watermark: w.Watermark,
	}
	for _, p := range w.Properties {
		r.Properties = append(r.Properties, events.PropertyHealth{Event: p.Event, Property: p.Property, Events: p.Events,
			Missing: fromWireHealthCount(p.Missing), NonNumeric: fromWireHealthCount(p.NonNumeric)})
	}
	return r
}
