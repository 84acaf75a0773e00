package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Note is something the simulator did that belongs on the demo's timeline.
type Note struct {
	At   time.Time
	Kind string // NoteStage, NoteRegression, NoteRollback, NoteNotification, NoteError
	Text string
}

// Note kinds.
const (
	NoteStage        = "stage"
	NoteRegression   = "regression"
	NoteRollback     = "rollback"
	NoteNotification = "notification"
	NoteError        = "error"
)

// Build versions the telemetry reports per variant: the treatment's
// regression ships as a new build, so it shows as a deployment marker.
const (
	controlVersion    = "v1.41.0"
	treatmentVersion  = "v1.42.0"
	regressionVersion = "v1.42.1"
)

// Stats counts what a run produced.
type Stats struct {
	Users        int64            `json:"users"`
	Exposed      map[string]int64 `json:"exposed"`
	Events       int64            `json:"events"`
	Acknowledged int64            `json:"acknowledged"`
	Rejected     int64            `json:"rejected"`
	Retries      int64            `json:"retries"`
}

// Simulator runs one simulated rollout.
type Simulator struct {
	cfg  Config
	rng  *rand.Rand
	tel  *telemetry
	sink *sink
	note func(Note)

	// Owned by the Run goroutine.
	plan     agenda
	pending  []event
	seq      int64
	stage    string
	injected bool

	mu            sync.Mutex
	rolledBack    time.Time
	notifications []Notification
	userCount     int64
	exposed       map[string]int64
	events        int64
}

// user is one simulated customer.
type user struct {
	id      string
	seg     segment
	arm     string
	exposed bool
}

// New returns a simulator that posts events to the exporter at exporterURL
// (with token as bearer token when not empty) and reports its notes to note
// (which may be nil).
func New(cfg Config, exporterURL, token string, note func(Note)) (*Simulator, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if note == nil {
		note = func(Note) {}
	}
	tel := newTelemetry()
	return &Simulator{
		cfg:     cfg,
		rng:     rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed_1f7a_d3a0)),
		tel:     tel,
		sink:    newSink(exporterURL, token, tel),
		note:    note,
		exposed: map[string]int64{},
	}, nil
}

// Handler serves the telemetry on /metrics and Alertmanager webhooks on
// /hooks/rollback, /hooks/page and /hooks/ticket.
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.tel.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/hooks/", s.hookHandler)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	return mux
}

// Rollback sends every user to the control from at on and stops exposing
// new users (the flag is off). It reports whether this call rolled back.
func (s *Simulator) Rollback(at time.Time, reason string) bool {
	s.mu.Lock()
	if !s.rolledBack.IsZero() {
		s.mu.Unlock()
		return false
	}
	s.rolledBack = at
	s.mu.Unlock()
	s.note(Note{At: at, Kind: NoteRollback, Text: "rollback executed, treatment traffic stopped: " + reason})
	return true
}

// RolledBack is when the treatment was rolled back (zero if it was not).
func (s *Simulator) RolledBack() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rolledBack
}

// Notifications lists the webhook calls received so far.
func (s *Simulator) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.notifications...)
}

func (s *Simulator) record(n Notification) {
	s.mu.Lock()
	s.notifications = append(s.notifications, n)
	s.mu.Unlock()
	s.note(Note{At: n.At, Kind: NoteNotification, Text: fmt.Sprintf("Alertmanager -> %s hook (%s): %s %v", n.Hook, n.Receiver, n.Status, n.Names())})
}

// Stats reports the counts so far.
func (s *Simulator) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	exposed := map[string]int64{}
	for k, v := range s.exposed {
		exposed[k] = v
	}
	return Stats{Users: s.userCount, Exposed: exposed, Events: s.events,
		Acknowledged: s.sink.acknowledged.Load(), Rejected: s.sink.rejected.Load(), Retries: s.sink.retries.Load()}
}

// Run simulates until ctx ends, then posts the events still pending
// (waiting at most 30 s for the exporter to acknowledge them).
func (s *Simulator) Run(ctx context.Context) error {
	if d := time.Until(s.cfg.Start); d > 0 {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d):
		}
	}
	s.tel.deploy(s.cfg.Control, controlVersion, "", unixSeconds(s.cfg.Start))
	s.tel.deploy(s.cfg.Treatment, treatmentVersion, "", unixSeconds(s.cfg.Start))

	batches := make(chan []event, 64)
	var posting sync.WaitGroup
	postCtx, cancelPost := context.WithCancel(context.Background())
	defer cancelPost()
	var postErr error
	var errOnce sync.Once
	for range 2 {
		posting.Add(1)
		go func() {
			defer posting.Done()
			for b := range batches {
				if err := s.sink.post(postCtx, b); err != nil {
					errOnce.Do(func() { postErr = err })
					s.note(Note{At: time.Now(), Kind: NoteError, Text: err.Error()})
				}
			}
		}()
	}

	tick := time.NewTicker(s.cfg.Tick)
	defer tick.Stop()
	last := s.cfg.Start
	lastFlush := last
	flush := func() {
		if len(s.pending) > 0 {
			batches <- s.pending
			s.pending = nil
		}
	}
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case now := <-tick.C:
			s.advance(last, now)
			last = now
			if now.Sub(lastFlush) >= s.cfg.Flush {
				flush()
				lastFlush = now
			}
		}
	}
	flush()
	close(batches)
	done := make(chan struct{})
	go func() { posting.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cancelPost()
		<-done
	}
	return postErr
}

// advance simulates the wall-clock interval (from, to].
func (s *Simulator) advance(from, to time.Time) {
	if st := s.cfg.stageAt(to); st.Name != s.stage {
		s.stage = st.Name
		at := s.cfg.Start.Add(st.Offset)
		s.note(Note{At: at, Kind: NoteStage, Text: fmt.Sprintf("stage %s begins: %.0f%% of new users get the treatment", st.Name, 100*st.TreatmentWeight)})
	}
	if inj := s.cfg.InjectionTime(); !s.injected && !inj.IsZero() && !to.Before(inj) {
		s.injected = true
		r := s.cfg.Regression
		s.tel.deploy(s.cfg.Treatment, regressionVersion, treatmentVersion, unixSeconds(inj))
		s.note(Note{At: inj, Kind: NoteRegression, Text: fmt.Sprintf(
			"regression injected in %s (build %s, stage %s): latency x%.1f, request errors %.0f%%, purchases x%.2f",
			s.cfg.Treatment, regressionVersion, r.Stage, r.LatencyFactor, 100*r.ErrorRate, r.ConversionFactor)})
	}

	// New users: a Poisson number with the daily cycle's intensity, at
	// uniform times within the interval.
	span := to.Sub(from)
	lambda := s.cfg.UsersPerSecond * trafficIntensity(s.cfg.simTime(from)) * span.Seconds()
	for range drawCount(s.rng, lambda) {
		t := from.Add(time.Duration(s.rng.Float64() * float64(span)))
		s.arrive(t)
	}
	for _, a := range s.plan.due(to) {
		switch a.kind {
		case actPurchase:
			s.emit("purchase", a.user, a.due, map[string]any{"amount": amount(s.rng), "currency": "USD", "platform": a.user.seg.platform})
		case actSession:
			s.session(a.user, a.due)
		}
	}
}

// arrive handles a new user at t: assignment, exposure, first session and
// the sessions to come.
func (s *Simulator) arrive(t time.Time) {
	s.mu.Lock()
	s.userCount++
	n := s.userCount
	s.mu.Unlock()
	u := &user{id: fmt.Sprintf("u%x-%07d", s.cfg.Seed&0xffff, n), seg: drawSegment(s.rng), arm: s.cfg.Control}
	if rb := s.RolledBack(); rb.IsZero() || t.Before(rb) {
		u.exposed = true
		if s.rng.Float64() < s.cfg.stageAt(t).TreatmentWeight {
			u.arm = s.cfg.Treatment
		}
		s.emit("experiment_viewed", u, t, map[string]any{
			"experiment_id": s.cfg.Experiment, "variation_id": u.arm,
			"platform": u.seg.platform, "country": u.seg.country,
		})
		s.mu.Lock()
		s.exposed[u.arm]++
		s.mu.Unlock()
	}
	s.session(u, t)
	for range laterSessions(s.rng) {
		delay := time.Duration(s.rng.Float64() * float64(6*time.Hour))
		s.plan.schedule(action{due: t.Add(s.cfg.wall(delay)), user: u, kind: actSession})
	}
}

// session runs one session of u at t on the backend u is routed to now.
func (s *Simulator) session(u *user, t time.Time) {
	variant, st := s.route(u, t)
	s.emit("session_start", u, t, map[string]any{"platform": u.seg.platform})
	reqs := session(s.rng, u.seg, st)
	s.tel.observe(variant, reqs)
	for i, q := range reqs {
		if q.failed {
			s.emit("client_error", u, t.Add(time.Duration(i)*time.Millisecond), map[string]any{"code": 503, "platform": u.seg.platform})
		}
	}
	if s.rng.Float64() < purchaseProbability(u.seg, reqs, st) {
		s.plan.schedule(action{due: t.Add(s.cfg.wall(purchaseDelay(s.rng))), user: u, kind: actPurchase})
	}
}

// route says which backend serves u at t and how it behaves: the
// treatment's (regressed after the injection) until a rollback sends
// everyone to the control.
func (s *Simulator) route(u *user, t time.Time) (string, treatmentState) {
	if u.arm != s.cfg.Treatment {
		return s.cfg.Control, healthy
	}
	if rb := s.RolledBack(); !rb.IsZero() && !t.Before(rb) {
		return s.cfg.Control, healthy
	}
	if inj := s.cfg.InjectionTime(); inj.IsZero() || t.Before(inj) {
		return s.cfg.Treatment, healthy
	}
	r := s.cfg.Regression
	return s.cfg.Treatment, treatmentState{latencyFactor: r.LatencyFactor, errorRate: r.ErrorRate, conversionFactor: r.ConversionFactor}
}

func (s *Simulator) emit(name string, u *user, t time.Time, props map[string]any) {
	s.seq++
	s.pending = append(s.pending, newEvent(fmt.Sprintf("sim-%x-%09d", s.cfg.Seed, s.seq), name, u.id, t, props))
	s.mu.Lock()
	s.events++
	s.mu.Unlock()
}

// drawCount draws a Poisson count; above a mean of 50 the normal
// approximation (exact enough, and it does not underflow).
func drawCount(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda <= 50 {
		return poisson(r, lambda)
	}
	return max(0, int(math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1e3 }
