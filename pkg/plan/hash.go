package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
)

// HashPrefix starts every plan hash, naming the algorithm.
const HashPrefix = "sha256:"

// Hash identifies the plan's content: "sha256:" followed by the first 16 hex
// digits of the SHA-256 of CanonicalJSON. Comments, key order, formatting and
// equivalent spellings ("72h" or "3d", a default written out or left out, a
// time in another zone) do not change it; any change of meaning does. A plan
// that cannot be encoded (a non-finite number, which Parse rejects) hashes to
// "".
func (p *Plan) Hash() string {
	canonical, err := p.CanonicalJSON()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(canonical)
	return HashPrefix + hex.EncodeToString(sum[:])[:16]
}

// CanonicalJSON encodes the normalised plan (defaults filled, times in UTC,
// stage starts and per-stage unit gates resolved, durations in canonical
// spelling) as compact JSON with every object's keys sorted, so the encoding
// depends neither on how the file was written nor on the order of Go struct
// fields. Fields left at their zero value are omitted, so adding an optional
// field to the schema keeps existing hashes.
func (p *Plan) CanonicalJSON() ([]byte, error) {
	direct, err := json.Marshal(p.normalized())
	if err != nil {
		return nil, err
	}
	// Re-encoding through generic values sorts struct keys as well as map
	// keys; UseNumber keeps every number's text exactly as first encoded.
	dec := json.NewDecoder(bytes.NewReader(direct))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(generic)
}

// normalized returns a deep copy of p in canonical form.
func (p *Plan) normalized() *Plan {
	n := *p
	n.Arms = slices.Clone(p.Arms)
	n.Metrics = make([]Metric, len(p.Metrics))
	for i, m := range p.Metrics {
		n.Metrics[i] = m.clone()
	}
	n.Segments = slices.Clone(p.Segments)
	seq := p.Analysis.IsSequential()
	n.Analysis.Sequential = &seq
	n.ApplyDefaults()

	n.Start = p.Start.UTC()
	if p.End != nil {
		end := p.End.UTC()
		n.End = &end
	}
	if len(p.Stages) > 0 {
		// An explicit start equal to the scheduled one, or a stage gate equal
		// to the plan's, says the same thing as leaving it out.
		schedule := n.Schedule()
		n.Stages = make([]Stage, len(p.Stages))
		for i, s := range p.Stages {
			start := schedule[i].Start.UTC()
			n.Stages[i] = Stage{
				Name:           s.Name,
				Weights:        maps.Clone(s.Weights),
				MinDuration:    s.MinDuration,
				MinUnitsPerArm: schedule[i].MinUnitsPerArm,
				Start:          &start,
			}
		}
	}
	return &n
}

func (m Metric) clone() Metric {
	if m.Numerator != nil {
		v := *m.Numerator
		m.Numerator = &v
	}
	if m.Denominator != nil {
		v := *m.Denominator
		m.Denominator = &v
	}
	if m.Margin != nil {
		v := *m.Margin
		m.Margin = &v
	}
	if m.CUPED != nil {
		v := *m.CUPED
		m.CUPED = &v
	}
	m.Prometheus = m.Prometheus.normalized()
	return m
}
