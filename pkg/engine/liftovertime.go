package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
)

// LiftPoint is a plan's evaluation with the data up to one instant: the
// cumulative effects and their always-valid intervals as they stood then.
type LiftPoint struct {
	At     time.Time
	Result *Result
}

// ErrTooManySteps is returned by LiftSteps when the range holds more steps
// than allowed; callers widen the step.
var ErrTooManySteps = errors.New("too many evaluation steps")

// LiftSteps lists the evaluation instants of a lift-over-time series in
// [from, to]: the multiples of step after the plan's start (so a series
// drawn over different ranges shows the same points), then to itself, so the
// last point is the current evaluation. Instants before the plan starts or
// after it ends carry no new information and are left out (an ended plan
// keeps its end as the last point).
func LiftSteps(p *plan.Plan, from, to time.Time, step time.Duration, maxSteps int) ([]time.Time, error) {
	if step <= 0 {
		return nil, fmt.Errorf("step must be positive, got %s", step)
	}
	if maxSteps < 1 {
		return nil, fmt.Errorf("maxSteps must be at least 1, got %d", maxSteps)
	}
	if p.End != nil && p.End.Before(to) {
		to = *p.End
	}
	if !to.After(p.Start) || to.Before(from) {
		return nil, nil
	}
	// First multiple of step strictly after both the start and from.
	k := int64(1)
	if from.After(p.Start) {
		k = int64(from.Sub(p.Start)/step) + 1
	}
	var out []time.Time
	for t := p.Start.Add(time.Duration(k) * step); t.Before(to); t = t.Add(step) {
		out = append(out, t.UTC())
		if len(out) >= maxSteps {
			return nil, fmt.Errorf("%w: more than %d steps of %s between %s and %s", ErrTooManySteps, maxSteps, step, from.Format(time.RFC3339), to.Format(time.RFC3339))
		}
	}
	return append(out, to.UTC()), nil
}

// LiftOverTime evaluates p with the data up to each instant in at, exactly
// as Analyze would have at that time (opts.At is ignored). Because the
// intervals are confidence sequences when the plan is sequential, the band
// at every step is valid together with all the others: a reader may watch
// the series and stop at any point. parallel bounds the evaluations in
// flight (at least 1); each runs its own store queries.
func LiftOverTime(ctx context.Context, p *plan.Plan, src events.Source, at []time.Time, opts Options, parallel int) ([]LiftPoint, error) {
	out := make([]LiftPoint, len(at))
	errs := make([]error, len(at))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i, t := range at {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			o := opts
			o.At = t
			res, err := Analyze(ctx, p, src, o)
			if err != nil {
				errs[i] = fmt.Errorf("evaluation at %s: %w", t.Format(time.RFC3339), err)
				cancel() // the series is useless with a hole; stop the rest
				return
			}
			out[i] = LiftPoint{At: t, Result: res}
		}()
	}
	wg.Wait()
	// Report the first failure in time order, not a cancellation it caused.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
