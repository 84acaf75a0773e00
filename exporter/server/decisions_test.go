package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

func decisionsEnv(t *testing.T, token string) (*env, *decisionlog.FileLog) {
	t.Helper()
	log, err := decisionlog.OpenFile(t.TempDir(), decisionlog.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	return newEnv(t, Options{Decisions: log, APIToken: token}), log
}

func TestDecisionsPostRequiresTokenAndIsAttributed(t *testing.T) {
	e, log := decisionsEnv(t, "s3cret")
	body := []byte(`{"experiment":"exp-a","action":"rollback","who":"alice","why":"checkout errors up","link":"https://tickets.example/INC-1"}`)
	if status, _ := e.do(t, http.MethodPost, exporterclient.PathDecisions, "", body); status != http.StatusUnauthorized {
		t.Fatalf("POST without token: %d, want 401", status)
	}
	if status, _ := e.do(t, http.MethodPost, exporterclient.PathDecisions, "wrong", body); status != http.StatusUnauthorized {
		t.Fatalf("POST with a wrong token: %d, want 401", status)
	}
	status, data := e.do(t, http.MethodPost, exporterclient.PathDecisions, "s3cret", body)
	if status != http.StatusCreated {
		t.Fatalf("POST: %d %s", status, data)
	}
	x, _ := e.ev.Experiment("exp-a")
	var got decisionlog.Entry
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Kind != decisionlog.KindHumanDecision || got.PlanHash != x.Hash || got.PlanHash == "" ||
		got.Human.Who != "alice" || got.Human.Action != "rollback" || !got.Human.Authenticated || got.Human.Link != "https://tickets.example/INC-1" {
		t.Fatalf("stored %+v (human %+v), want alice's rollback on plan %s", got, got.Human, x.Hash)
	}
	all, _ := log.List(context.Background(), decisionlog.Filter{})
	if len(all) != 1 || all[0].ID != got.ID {
		t.Fatalf("log holds %+v", all)
	}
}

func TestDecisionsAreAppendOnlyThroughTheAPI(t *testing.T) {
	e, log := decisionsEnv(t, "")
	c, err := exporterclient.New(e.srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := c.RecordDecision(context.Background(), exporterclient.HumanDecisionRequest{Experiment: "exp-a", Action: "hold", Who: "bob", Why: "waiting for the weekend"})
	if err != nil {
		t.Fatal(err)
	}
	if stored.Human.Authenticated {
		t.Error("no token is configured, yet the decision is marked authenticated")
	}
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		for _, path := range []string{exporterclient.PathDecisions, exporterclient.PathDecisions + "/1"} {
			status, _ := e.do(t, method, path, "", []byte(`{"experiment":"exp-a","action":"proceed","who":"eve","why":"x"}`))
			if status != http.StatusMethodNotAllowed && status != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 405 or 404", method, path, status)
			}
		}
	}
	all, _ := log.List(context.Background(), decisionlog.Filter{})
	if len(all) != 1 || all[0].Human.Who != "bob" || all[0].Human.Action != "hold" {
		t.Fatalf("log after refused writes: %+v", all)
	}
}

func TestDecisionsBadInputNamesTheField(t *testing.T) {
	e, _ := decisionsEnv(t, "")
	for body, field := range map[string]string{
		`{"experiment":"exp-a","action":"delete","who":"a","why":"x"}`:              "action",
		`{"experiment":"exp-a","action":"hold","who":"","why":"x"}`:                 "who",
		`{"experiment":"exp-a","action":"hold","who":"a","why":""}`:                 "why",
		`{"experiment":"exp-a","action":"hold","who":"a","why":"x","link":"ftp:x"}`: "link",
		`{"experiment":"exp-a","action":"hold","who":"a","why":"x","id":7}`:         "body",
		`not json`:                              "body",
		`{"action":"hold","who":"a","why":"x"}`: "experiment",
	} {
		status, data := e.do(t, http.MethodPost, exporterclient.PathDecisions, "", []byte(body))
		if status != http.StatusBadRequest || !strings.Contains(string(data), field) {
			t.Errorf("%s: %d %s, want 400 naming %s", body, status, data, field)
		}
	}
	status, _ := e.do(t, http.MethodPost, exporterclient.PathDecisions, "", []byte(`{"experiment":"nope","action":"hold","who":"a","why":"x"}`))
	if status != http.StatusNotFound {
		t.Errorf("unknown experiment: %d, want 404", status)
	}
	for q, field := range map[string]string{"kind=bogus": "kind", "since=yesterday": "since"} {
		status, data := e.do(t, http.MethodGet, exporterclient.PathDecisions+"?"+q, "", nil)
		if status != http.StatusBadRequest || !strings.Contains(string(data), field) {
			t.Errorf("GET ?%s: %d %s, want 400 naming %s", q, status, data, field)
		}
	}
}

func TestDecisionsListFilters(t *testing.T) {
	e, _ := decisionsEnv(t, "tok")
	c, _ := exporterclient.New(e.srv.URL, "tok")
	ctx := context.Background()
	e.ev.EvaluateAt(ctx, "exp-a", evalAt) // no OnResult here: only human entries
	for _, a := range []string{"hold", "proceed"} {
		if _, err := c.RecordDecision(ctx, exporterclient.HumanDecisionRequest{Experiment: "exp-a", Action: a, Who: "a", Why: "w"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.Decisions(ctx, exporterclient.DecisionQuery{Experiment: "exp-a", Kind: decisionlog.KindHumanDecision})
	if err != nil || len(got) != 2 || got[0].Human.Action != "hold" {
		t.Fatalf("%+v %v", got, err)
	}
	future := got[1].Time.Add(1)
	if got, _ := c.Decisions(ctx, exporterclient.DecisionQuery{Since: future}); len(got) != 0 {
		t.Fatalf("since after the last entry: %+v", got)
	}
	if got, _ := c.Decisions(ctx, exporterclient.DecisionQuery{Experiment: "other"}); len(got) != 0 {
		t.Fatalf("other experiment: %+v", got)
	}
	noTok, _ := exporterclient.New(e.srv.URL, "")
	var apiErr *exporterclient.APIError
	if _, err := noTok.Decisions(ctx, exporterclient.DecisionQuery{}); !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Fatalf("GET without token: %v", err)
	}
}
