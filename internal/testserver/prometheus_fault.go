package testserver

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// PrometheusFault is a failure a real server cannot be made to show on cue.
type PrometheusFault int

const (
	// FaultServerError answers every query with HTTP 500 and an API error.
	FaultServerError PrometheusFault = iota
	// FaultSlow waits (until the client gives up) before answering.
	FaultSlow
	// FaultPartial answers with data and a warning, as Thanos or Mimir do
	// when a store could not be read.
	FaultPartial
	// FaultNotJSON answers 200 with a body that is not the API's JSON.
	FaultNotJSON
)

// StartFaultyPrometheus serves the Prometheus HTTP API with one fault,
// through httptest on loopback; it is closed when the test ends. Slow
// answers wait for delay or until the client disconnects.
func StartFaultyPrometheus(t testing.TB, fault PrometheusFault, delay time.Duration) *httptest.Server {
	t.Helper()
	partial := `{"status":"success","warnings":["store 10.0.0.7:10901 unavailable: partial response"],` +
		`"data":{"resultType":"matrix","result":[{"metric":{"__name__":"up"},"values":[[1793491200,"1"]]}]}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the form first: only then does the server notice a client
		// that hangs up, which the slow fault waits for.
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch fault {
		case FaultServerError:
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"status":"error","errorType":"internal","error":"query engine exploded"}`))
		case FaultSlow:
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
			_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`))
		case FaultPartial:
			_, _ = w.Write([]byte(partial))
		case FaultNotJSON:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>502 Bad Gateway</html>"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}
