package postgres

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/jackc/pgx/v5/pgtype"
)

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
