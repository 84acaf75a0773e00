package server

import (
	"log/slog"
	"net/http"
)

type lifecycleHandlers struct {
	ev  Evaluator
	log *slog.Logger
}

// reload rereads the plans directory, like SIGHUP. Files that fail
// validation keep their last good version running; the answer is 500 with
// every problem so a deploy script notices, as Prometheus' /-/reload does.
func (h *lifecycleHandlers) reload(w http.ResponseWriter, r *http.Request) {
	if err := h.ev.Reload(); err != nil {
		http.Error(w, "failed to reload plans (the last good versions keep running):\n"+err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write([]byte("plans reloaded\n"))
}

func (h *lifecycleHandlers) healthy(w http.ResponseWriter, r *http.Request) {
	_, _ = w.Write([]byte("OK\n"))
}
