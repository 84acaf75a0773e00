package clickhouse

import (
	"github.com/liftgate/liftgate/pkg/events"
)

// exposureFor is how this source's mapping recognises exposures for a plan.
func (s *Source) exposureFor(sc events.Scope) events.Exposure { return s.mapping.ExposureFor(sc) }

// checkScope rejects a scope the SQL could not answer meaningfully. With an
// assignment table the exposure properties are not needed.
func (s *Source) checkScope(op string, sc events.Scope) error {
	if err := sc.Check(s.exposureFor(sc), s.mapping.Assignments == nil); err != nil {
		return errorf(op, "%v", err)
	}
	return nil
}

// checkMetric rejects a metric definition the SQL could not answer.
func checkMetric(op string, m events.Metric) error {
	if err := m.Check(); err != nil {
		return errorf(op, "%v", err)
	}
	return nil
}
