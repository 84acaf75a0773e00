package plugin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// Grafana counts plugin errors against the plugin's SLO; users' mistakes
// and failing sources must be downstream, and only real bugs plugin errors.
func TestErrorClassification(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status backend.Status
		source backend.ErrorSource
	}{
		{"bad query field", &models.QueryError{Field: "bucket", Message: "must be positive"}, backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{"unknown experiment", userErrorf("experiment %q is not evaluated", "x"), backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{"invalid exploratory plan", &plan.ValidationError{Problems: []plan.Problem{{Field: "arms", Message: "bad"}}}, backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{"bad settings", &models.SettingsError{Field: "exporterUrl", Message: "is required"}, backend.StatusValidationFailed, backend.ErrorSourceDownstream},
		{"exporter refuses the token", &exporterclient.APIError{StatusCode: 401, Message: "unauthorized"}, backend.StatusUnauthorized, backend.ErrorSourceDownstream},
		{"exporter 500", fmt.Errorf("plan: %w", &exporterclient.APIError{StatusCode: 500, Message: "boom"}), backend.StatusBadGateway, backend.ErrorSourceDownstream},
		{"store fails mid-evaluation", &engine.SourceError{Source: "clickhouse", Op: "exposures", Err: errors.New("connection reset")}, backend.StatusBadGateway, backend.ErrorSourceDownstream},
		{"prometheus fails", &telemetry.QueryError{Server: "prometheus", Query: "up", Err: errors.New("503")}, backend.StatusBadGateway, backend.ErrorSourceDownstream},
		{"connection refused", &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}, backend.StatusBadGateway, backend.ErrorSourceDownstream},
		{"timeout", fmt.Errorf("evaluation: %w", context.DeadlineExceeded), backend.StatusTimeout, backend.ErrorSourceDownstream},
		{"grafana gave up", context.Canceled, backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{"a bug", errors.New("index out of range"), backend.StatusInternal, backend.ErrorSourcePlugin},
		{"a panic", &panicError{value: "nil map"}, backend.StatusInternal, backend.ErrorSourcePlugin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dr := errorResponse(tc.err)
			if dr.Status != tc.status || dr.ErrorSource != tc.source {
				t.Errorf("status %d source %q, want %d %q", dr.Status, dr.ErrorSource, tc.status, tc.source)
			}
			if dr.Error == nil || dr.Error.Error() != tc.err.Error() {
				t.Errorf("message %v, want the error's own text %q", dr.Error, tc.err)
			}
		})
	}
}
