package postgres

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/liftgate/liftgate/pkg/events"
)

// groupKey builds an events.GroupKey from the key columns (arm, stage,
// segment, bucket index). The bucket comes back as an index so that its time
// is computed here, exactly, rather than through SQL time zones.
func groupKey(sc events.Scope, arm string, stage int64, segment string, bucket int64) events.GroupKey {
	k := events.GroupKey{Arm: arm, Stage: int(stage), Segment: segment}
	if sc.Bucket > 0 {
		k.Bucket = time.UnixMicro(sc.Start.UnixMicro() + bucket*sc.Bucket.Microseconds()).UTC()
	}
	return k
}

// compareKeys orders groups by planned arm order, then stage, segment and
// bucket, so results are stable and read in the plan's order.
func compareKeys(sc events.Scope) func(a, b events.GroupKey) int {
	armIndex := func(arm string) int { return slices.Index(sc.Arms, arm) }
	return func(a, b events.GroupKey) int {
		if c := armIndex(a.Arm) - armIndex(b.Arm); c != 0 {
			return c
		}
		if c := a.Stage - b.Stage; c != 0 {
			return c
		}
		if c := strings.Compare(a.Segment, b.Segment); c != 0 {
			return c
		}
		return a.Bucket.Compare(b.Bucket)
	}
}

// errOutOfRange says a sum left float64's range.
var errOutOfRange = errors.New("a sum is beyond the float64 range (property values too large)")

// numericFloat converts an exact numeric sum to float64. Sums are computed
// as numeric in SQL (exact, and independent of the order parallel workers
// add in); a value too large for float64 is an error rather than an Inf that
// would turn into NaN downstream, and one too small rounds to zero.
func numericFloat(n pgtype.Numeric) (float64, error) {
	switch {
	case !n.Valid:
		return 0, nil
	case n.NaN || n.InfinityModifier != pgtype.Finite:
		return 0, errOutOfRange
	case n.Int == nil:
		return 0, nil
	}
	f, err := strconv.ParseFloat(n.Int.String()+"e"+strconv.Itoa(int(n.Exp)), 64)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errOutOfRange
	}
	var numErr *strconv.NumError
	if err != nil && !(errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrRange)) {
		return 0, fmt.Errorf("reading numeric %s: %w", n.Int.String(), err)
	}
	return f, nil
}
