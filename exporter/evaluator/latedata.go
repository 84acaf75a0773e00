package evaluator

import "github.com/liftgate/liftgate/pkg/engine"

// lateDataChanges counts the verdicts cur changed against prev when both
// judged the same window (the same plan and data end): only late data (or
// removed data) can do that, since the window did not grow. Evaluations
// of different windows, failed ones and the first one count nothing;
// engine.CompareResults decides what is comparable.
func lateDataChanges(prev, cur *Evaluation) int {
	if !prev.OK() || !cur.OK() {
		return 0
	}
	return len(engine.CompareResults(prev.Result, cur.Result))
}
