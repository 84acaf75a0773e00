package stats

import "fmt"

// InputError reports input no statistic can be computed from: which field is
// wrong and what was expected. Degenerate but valid data (too few units, zero
// variance) is not an input error; it yields an InsufficientData verdict.
type InputError struct {
	Field   string // the offending field, e.g. "Control[1].SumY" or "Alpha"
	Message string // what was expected
}

func (e *InputError) Error() string {
	return fmt.Sprintf("stats: %s: %s", e.Field, e.Message)
}

func inputErrorf(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}
