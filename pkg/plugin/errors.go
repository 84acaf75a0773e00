package plugin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// sourceError says that one of the configured sources (the exporter, the
// event store, Prometheus) failed or refused. It is downstream: the plugin
// did what it should, the source did not answer usefully.
type sourceError struct {
	source string // "liftgate exporter", "event store clickhouse", ...
	err    error
}

func (e *sourceError) Error() string { return e.source + ": " + e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// userError is a query the user must change (an unknown experiment, a
// metric the plan does not have, an exploratory definition that does not
// validate).
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }

func userErrorf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...)}
}

// errorResponse turns a query's error into a DataResponse with the right
// status and error source. Grafana's plugin SLOs count plugin errors only,
// so user mistakes and failing sources must be marked downstream, and a
// real bug must not be.
func errorResponse(err error) backend.DataResponse {
	status, source := classify(err)
	return backend.ErrDataResponseWithSource(status, source, err.Error())
}

// classify picks the status and error source of an error.
func classify(err error) (backend.Status, backend.ErrorSource) {
	var (
		qe  *models.QueryError
		se  *models.SettingsError
		ue  *userError
		ve  *plan.ValidationError
		src *sourceError
		api *exporterclient.APIError
		eng *engine.SourceError
		tel *telemetry.QueryError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return backend.StatusTimeout, backend.ErrorSourceDownstream
	case errors.Is(err, context.Canceled):
		// Grafana (or the user) gave up on the request.
		return backend.StatusBadRequest, backend.ErrorSourceDownstream
	case errors.As(err, &qe), errors.As(err, &ue), errors.As(err, &ve):
		return backend.StatusBadRequest, backend.ErrorSourceDownstream
	case errors.As(err, &se):
		return backend.StatusValidationFailed, backend.ErrorSourceDownstream
	case errors.As(err, &api):
		switch {
		case api.StatusCode == 401 || api.StatusCode == 403:
			return backend.StatusUnauthorized, backend.ErrorSourceDownstream
		case api.StatusCode == 404:
			return backend.StatusNotFound, backend.ErrorSourceDownstream
		}
		return backend.StatusBadGateway, backend.ErrorSourceDownstream
	case errors.As(err, &src), errors.As(err, &eng), errors.As(err, &tel), isNetworkError(err):
		return backend.StatusBadGateway, backend.ErrorSourceDownstream
	case backend.IsDownstreamError(err):
		return backend.StatusBadGateway, backend.ErrorSourceDownstream
	}
	return backend.StatusInternal, backend.ErrorSourcePlugin
}

// isNetworkError recognises failures to reach a source at all.
func isNetworkError(err error) bool {
	var (
		ne net.Error
		ue *url.Error
		oe *net.OpError
	)
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.As(err, &oe) || backend.IsDownstreamHTTPError(err)
}

// panicError is a recovered panic: always the plugin's fault.
type panicError struct{ value any }

func (e *panicError) Error() string {
	return fmt.Sprintf("internal error in the liftgate data source (please report it): %v", e.value)
}

// errClosed is returned by sources of an instance Grafana has disposed of
// (its settings changed or it was deleted) while a query was still running.
var errClosed = errors.New("the data source was reconfigured or removed; run the query again")
