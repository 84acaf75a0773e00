package plugin

import (
	"context"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/tracing"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/liftgate/liftgate/pkg/models"
)

// queryHandler answers one query of one type.
type queryHandler func(ctx context.Context, q *models.Query, dq backend.DataQuery) (data.Frames, error)

// QueryData answers every query of the request independently: one failing
// query gets its own error response and never fails the others.
func (ds *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	if ds.configErr != nil {
		resp := backend.NewQueryDataResponse()
		for _, q := range req.Queries {
			resp.Responses[q.RefID] = errorResponse(ds.configErr)
		}
		return resp, nil
	}
	return ds.queries.QueryData(ctx, req)
}

// queryMux registers one handler per query type (one file each).
func (ds *Datasource) queryMux() *datasource.QueryTypeMux {
	mux := datasource.NewQueryTypeMux()
	for queryType, h := range map[string]queryHandler{
		models.QueryTypeComparison:         ds.handleComparison,
		models.QueryTypeLiftOverTime:       ds.handleLiftOverTime,
		models.QueryTypeArmSeries:          ds.handleArmSeries,
		models.QueryTypeTelemetryByArm:     ds.handleTelemetryByArm,
		models.QueryTypeTelemetryBehaviour: ds.handleTelemetryBehaviour,
		models.QueryTypeAnnotations:        ds.handleAnnotations,
		models.QueryTypeVariables:          ds.handleVariables,
		models.QueryTypeExploratory:        ds.handleExploratory,
		models.QueryTypeHealth:             ds.handleHealth,
	} {
		mux.HandleFunc(queryType, ds.each(queryType, h))
	}
	// An unknown (or missing) query type is the query's mistake, not ours.
	// (LoadQuery names the field and the valid types.)
	mux.HandleFunc("", ds.each("", func(context.Context, *models.Query, backend.DataQuery) (data.Frames, error) {
		return nil, &models.QueryError{Field: models.FieldQueryType, Message: fmt.Sprintf("is not one of %v", models.QueryTypes)}
	}))
	return mux
}

// each adapts a per-query handler to the SDK's per-request interface.
func (ds *Datasource) each(queryType string, h queryHandler) backend.QueryDataHandlerFunc {
	return func(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
		resp := backend.NewQueryDataResponse()
		for _, dq := range req.Queries {
			resp.Responses[dq.RefID] = ds.runQuery(ctx, dq, h)
		}
		return resp, nil
	}
}

// runQuery answers one query: decode, validate, run, attach the refId; any
// error or panic becomes this query's classified error response.
func (ds *Datasource) runQuery(ctx context.Context, dq backend.DataQuery, h queryHandler) (dr backend.DataResponse) {
	logger := backend.Logger.FromContext(ctx)
	ctx, span := tracing.DefaultTracer().Start(ctx, "query "+dq.QueryType,
		trace.WithAttributes(attribute.String("query_type", dq.QueryType), attribute.String("ref_id", dq.RefID)))
	defer span.End()
	defer func() {
		if r := recover(); r != nil {
			logger.Error("query panicked", "refId", dq.RefID, "queryType", dq.QueryType, "panic", fmt.Sprint(r))
			dr = errorResponse(&panicError{value: r})
		}
		if dr.Error != nil {
			span.RecordError(dr.Error)
		}
	}()

	q, err := models.LoadQuery(dq)
	if err != nil {
		return errorResponse(err)
	}
	frames, err := h(ctx, q, dq)
	if err != nil {
		status, source := classify(err)
		logger.Debug("query failed", "refId", dq.RefID, "queryType", dq.QueryType, "status", int(status), "source", string(source), "error", err)
		return errorResponse(err)
	}
	for _, f := range frames {
		f.RefID = dq.RefID
	}
	return backend.DataResponse{Frames: frames}
}
