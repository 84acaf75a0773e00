package plan

import (
	"regexp"
	"slices"
)

// namePattern keeps metric and stage names usable as label values and
// command-line arguments without quoting.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

const nameRule = "must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit"

func checkMetrics(c *checker, metrics []Metric) {
	if len(metrics) == 0 {
		c.add("metrics", "need at least 1 metric")
		return
	}
	seen := map[string]int{}
	primaries := 0
	for i := range metrics {
		m := &metrics[i]
		name := fieldAt("metrics", i, "name")
		switch prev, dup := seen[m.Name]; {
		case m.Name == "":
			c.add(name, "required: a name like purchase_conversion")
		case !namePattern.MatchString(m.Name):
			c.add(name, "%s; got %q", nameRule, m.Name)
		case dup:
			c.add(name, "duplicate metric name %q (also metrics[%d])", m.Name, prev)
		default:
			seen[m.Name] = i
		}
		if m.Role == RolePrimary {
			primaries++
		}
		checkMetric(c, indexAt("metrics", i), m)
	}
	if primaries == 0 && !c.failedUnder("metrics") {
		c.add("metrics", "need at least one metric with role: primary (the decision metric)")
	}
}

// checkMetric applies the rules of one metric; at is its path, "metrics[i]".
func checkMetric(c *checker, at string, m *Metric) {
	roles := []string{RolePrimary, RoleSecondary, RoleGuardrail}
	switch {
	case m.Role == "":
		c.add(at+".role", "required: one of %s", oneOf(roles...))
	case !slices.Contains(roles, m.Role):
		c.add(at+".role", "must be one of %s, got %q", oneOf(roles...), m.Role)
	}
	directions := []string{DirectionIncrease, DirectionDecrease}
	switch {
	case m.Direction == "":
		c.add(at+".direction", "required: %s (which way is good)", oneOf(directions...))
	case !slices.Contains(directions, m.Direction):
		c.add(at+".direction", "must be one of %s, got %q", oneOf(directions...), m.Direction)
	}

	kinds := []string{KindConversion, KindCount, KindMean, KindRatio, KindPrometheus}
	switch m.Kind {
	case KindConversion, KindCount:
		checkSingleEvent(c, at, m)
		if m.Property != "" {
			c.add(at+".property", "only mean metrics sum a property; use kind: mean, or remove property")
		}
	case KindMean:
		checkSingleEvent(c, at, m)
		if m.Property == "" {
			c.add(at+".property", "required for mean metrics: the numeric event property to sum per unit")
		}
	case KindRatio:
		checkRatio(c, at, m)
	case KindPrometheus:
		checkPrometheusFields(c, at, m)
		checkMargin(c, at, m)
		return
	case "":
		c.add(at+".kind", "required: one of %s", oneOf(kinds...))
		return
	default:
		c.add(at+".kind", "must be one of %s, got %q", oneOf(kinds...), m.Kind)
		return
	}
	checkWindow(c, at, m)
	checkMargin(c, at, m)
	checkCUPED(c, at, m)
}

// checkSingleEvent covers conversion, count and mean metrics, which read one
// event rather than a numerator and a denominator.
func checkSingleEvent(c *checker, at string, m *Metric) {
	if m.Event == "" {
		c.add(at+".event", "required for %s metrics: the event to measure", m.Kind)
	}
	if m.Numerator != nil {
		c.add(at+".numerator", "only ratio metrics have a numerator")
	}
	if m.Denominator != nil {
		c.add(at+".denominator", "only ratio metrics have a denominator")
	}
}

func checkRatio(c *checker, at string, m *Metric) {
	if m.Event != "" {
		c.add(at+".event", "ratio metrics use numerator and denominator, not event")
	}
	if m.Property != "" {
		c.add(at+".property", "ratio metrics use numerator.property and denominator.property, not property")
	}
	for _, part := range []struct {
		field string
		value *EventValue
	}{{"numerator", m.Numerator}, {"denominator", m.Denominator}} {
		switch {
		case part.value == nil:
			c.add(at+"."+part.field, "required for ratio metrics: {event: NAME} to count, plus property: NAME to sum")
		case part.value.Event == "":
			c.add(at+"."+part.field+".event", "required: the event to count or sum")
		}
	}
}

// checkWindow allows a window only where the event store applies one: a
// conversion or count within that time of the unit's first exposure.
func checkWindow(c *checker, at string, m *Metric) {
	switch {
	case m.Window < 0:
		c.add(at+".window", "must not be negative, got %s", m.Window)
	case m.Window > 0 && m.Kind != KindConversion && m.Kind != KindCount:
		c.add(at+".window", "only conversion and count metrics take a window; remove it")
	}
}

func checkMargin(c *checker, at string, m *Metric) {
	if m.Margin == nil {
		return
	}
	mg := m.Margin
	field := at + ".margin"
	if (mg.Relative == 0) == (mg.Absolute == 0) {
		c.add(field, "set exactly one of relative (a fraction of the control mean, e.g. 0.05) or absolute (in the metric's units)")
		return
	}
	if mg.Relative != 0 {
		if !(mg.Relative > 0 && mg.Relative < 1) {
			c.add(field+".relative", "must be in (0, 1): a fraction of the control mean, e.g. 0.05; got %g", mg.Relative)
		}
		return
	}
	switch {
	case !(mg.Absolute > 0):
		c.add(field+".absolute", "must be > 0 (a distance in the metric's units towards the bad side), got %g", mg.Absolute)
	case m.Kind == KindConversion && mg.Absolute >= 1:
		c.add(field+".absolute", "must be below 1 for conversion metrics (a difference of proportions), got %g", mg.Absolute)
	}
}

func checkCUPED(c *checker, at string, m *Metric) {
	if m.CUPED == nil {
		return
	}
	if m.Kind == KindRatio {
		c.add(at+".cuped", "CUPED is not supported for ratio metrics yet; remove it")
		return
	}
	if m.CUPED.Lookback <= 0 {
		c.add(at+".cuped.lookback", "required: a positive duration of pre-exposure history, e.g. 14d; got %s", m.CUPED.Lookback)
	}
}
