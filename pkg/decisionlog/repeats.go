package decisionlog

// DropRepeats returns entries without the machine entries that change
// nothing: a change to the value the experiment already had (the same
// verdict, decision, stage or plan recorded twice in a row). One exporter
// never records such an entry, but the two exporters of an HA pair sharing
// one database can, when both judge the same change at the same instant
// before either sees the other's entry. Readers that count or draw changes
// (outcomes, annotations, history export) drop them so such a pair counts
// one rollback, not two. Human decisions are always kept. entries must be
// in log order (oldest first).
func DropRepeats(entries []Entry) []Entry {
	type key struct {
		experiment string
		kind       Kind
		metric     string
		arm        string
	}
	state := map[key]string{}
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		k := key{experiment: e.Experiment, kind: e.Kind}
		switch e.Kind {
		case KindHumanDecision:
			out = append(out, e)
			continue
		case KindVerdictChange, KindLateDataChange:
			// Both kinds move the same verdict.
			k.kind, k.metric, k.arm = KindVerdictChange, e.Metric, e.Arm
		}
		if v, ok := state[k]; ok && v == e.To {
			continue
		}
		state[k] = e.To
		out = append(out, e)
	}
	return out
}
