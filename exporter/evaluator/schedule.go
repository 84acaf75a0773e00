package evaluator

import (
	"hash/fnv"
	"time"
)

// slotAt is the evaluation time of the latest slot at or before now: slots
// lie on a grid of interval (counted from Go's zero time, so every machine
// agrees), shifted by offset. Two exporters evaluating a plan at "the same
// slot" therefore use the same evaluation time and, against the same store,
// compute the same numbers.
func slotAt(now time.Time, interval, offset time.Duration) time.Time {
	return now.Add(-offset).Truncate(interval)
}

// nextSlot is when the slot after now fires (its evaluation time plus
// offset) and that slot's evaluation time.
func nextSlot(now time.Time, interval, offset time.Duration) (fire, at time.Time) {
	at = slotAt(now, interval, offset).Add(interval)
	return at.Add(offset), at
}

// phase spreads plans over the first half of the interval by a stable hash
// of their id, so a hundred plans do not hit the store in the same second,
// and late-arriving events of the slot have that long to land.
func phase(id string, interval time.Duration) time.Duration {
	half := interval / 2
	if half <= 0 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return time.Duration(h.Sum64() % uint64(half))
}
