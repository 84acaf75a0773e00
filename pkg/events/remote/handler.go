package remote

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/liftgate/liftgate/pkg/events"
)

// HandlerOptions protect the query API.
type HandlerOptions struct {
	// BearerToken, when set, is required as "Authorization: Bearer TOKEN".
	BearerToken string
	// MaxRequestBytes bounds a request body (default 1 MiB).
	MaxRequestBytes int64
}

// Handler serves src's queries. It never returns raw events: only the
// sufficient statistics the Source computes.
func Handler(src events.Source, opts HandlerOptions) http.Handler {
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = 1 << 20
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathExposures, func(w http.ResponseWriter, r *http.Request) {
		var req exposuresRequest
		if !decode(w, r, opts, &req) {
			return
		}
		counts, err := src.Exposures(r.Context(), fromWireScope(req.Scope))
		if err != nil {
			writeError(w, statusFor(err), err)
			return
		}
		resp := exposuresResponse{Groups: []wireGroupCount{}, MultiArmUnits: counts.MultiArmUnits, UnknownArmUnits: counts.UnknownArmUnits}
		for _, g := range counts.Groups {
			resp.Groups = append(resp.Groups, wireGroupCount{wireKey: toWireKey(g.GroupKey), Units: g.Units})
		}
		writeJSON(w, http.StatusOK, resp)
	})
	mux.HandleFunc("POST "+PathMetricSums, func(w http.ResponseWriter, r *http.Request) {
		var req metricSumsRequest
		if !decode(w, r, opts, &req) {
			return
		}
		rows, err := src.MetricSums(r.Context(), fromWireScope(req.Scope), fromWireMetric(req.Metric))
		if err != nil {
			writeError(w, statusFor(err), err)
			return
		}
		resp := metricSumsResponse{Groups: []wireGroupSums{}}
		for _, g := range rows {
			resp.Groups = append(resp.Groups, wireGroupSums{wireKey: toWireKey(g.GroupKey), Sums: g.Sums})
		}
		writeJSON(w, http.StatusOK, resp)
	})
	mux.HandleFunc("POST "+PathHealth, healthHandler(src, opts))
	return mux
}

// decode authenticates and parses a request; it answers the error itself.
func decode(w http.ResponseWriter, r *http.Request, opts HandlerOptions, into any) bool {
	if opts.BearerToken != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(opts.BearerToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="liftgate"`)
			writeError(w, http.StatusUnauthorized, errors.New("missing or wrong bearer token"))
			return false
		}
	}
	body := http.MaxBytesReader(w, r.Body, opts.MaxRequestBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("request body over %d bytes", tooBig.Limit))
			return false
		}
		writeError(w, http.StatusBadRequest, fmt.Errorf("request body: %w", err))
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		writeError(w, http.StatusBadRequest, errors.New("request body: one JSON object expected"))
		return false
	}
	return true
}

// statusFor maps a source error: a bad scope is the caller's fault, the rest
// is the store's.
func statusFor(err error) int {
	if strings.Contains(err.Error(), "scope:") {
		return http.StatusBadRequest
	}
	return http.StatusBadGateway
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, errorResponse{Error: err.Error()})
}
