package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Notification is one Alertmanager webhook call the simulator received.
type Notification struct {
	At time.Time `json:"at"`
	// Hook is the path it arrived on: rollback, page or ticket.
	Hook     string          `json:"hook"`
	Receiver string          `json:"receiver"`
	Status   string          `json:"status"`
	Alerts   []NotifiedAlert `json:"alerts"`
}

// NotifiedAlert is one alert of a notification.
type NotifiedAlert struct {
	Name        string            `json:"name"`
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// Names lists the notification's alert names, sorted and deduplicated.
func (n Notification) Names() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range n.Alerts {
		if !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a.Name)
		}
	}
	sort.Strings(out)
	return out
}

// webhookPayload is Alertmanager's webhook body (version 4), the fields the
// hook reads.
type webhookPayload struct {
	Version  string `json:"version"`
	Receiver string `json:"receiver"`
	Status   string `json:"status"`
	Alerts   []struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"alerts"`
}

// maxWebhookBytes bounds one webhook body; Alertmanager's are small.
const maxWebhookBytes = 1 << 20

// hookHandler records every notification and, on the rollback hook, rolls
// the treatment back when a firing alert asks for it for this experiment:
// what a rollout controller's webhook would do.
func (s *Simulator) hookHandler(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST an Alertmanager webhook payload", http.StatusMethodNotAllowed)
		return
	}
	hook := strings.TrimPrefix(r.URL.Path, "/hooks/")
	data, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBytes))
	if err != nil {
		http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	var p webhookPayload
	if err := json.Unmarshal(data, &p); err != nil {
		http.Error(w, "the body is not an Alertmanager webhook payload: "+err.Error(), http.StatusBadRequest)
		return
	}
	n := Notification{At: time.Now(), Hook: hook, Receiver: p.Receiver, Status: p.Status}
	rollback := false
	for _, a := range p.Alerts {
		n.Alerts = append(n.Alerts, NotifiedAlert{Name: a.Labels["alertname"], Status: a.Status, Labels: a.Labels, Annotations: a.Annotations})
		if a.Status == "firing" && a.Labels["action"] == "rollback" && a.Labels["experiment"] == s.cfg.Experiment {
			rollback = true
		}
	}
	s.record(n)
	if hook == "rollback" && rollback {
		s.Rollback(n.At, fmt.Sprintf("Alertmanager (%s) asked for it: %s", p.Receiver, strings.Join(n.Names(), ", ")))
	}
	w.WriteHeader(http.StatusOK)
}
