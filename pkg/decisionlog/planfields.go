package decisionlog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
)

// PlanFields fingerprints each top-level field of a plan's JSON encoding
// (a *plan.Plan, or any value that encodes as an object), so two versions
// can be compared field by field without keeping either.
func PlanFields(p any) (map[string]string, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("decisionlog: encoding the plan: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("decisionlog: the plan does not encode as a JSON object: %w", err)
	}
	out := make(map[string]string, len(top))
	for k, v := range top {
		sum := sha256.Sum256(v)
		out[k] = hex.EncodeToString(sum[:8])
	}
	return out, nil
}

// ChangedFields lists, sorted, the fields whose fingerprint differs or
// that only one side has.
func ChangedFields(old, cur map[string]string) []string {
	changed := []string{}
	for k, v := range cur {
		if ov, ok := old[k]; !ok || ov != v {
			changed = append(changed, k)
		}
	}
	for k := range old {
		if _, ok := cur[k]; !ok {
			changed = append(changed, k)
		}
	}
	sort.Strings(changed)
	return changed
}
