package plan

import (
	"fmt"
	"strings"
)

// checker collects rule violations, placing each at the position of the
// field it names when the plan came from a file.
type checker struct {
	problems []Problem
	d        *decoder // nil for plans built in code
}

// add records a problem with field unless that field's value already failed
// to decode (its type error says enough).
func (c *checker) add(field, format string, args ...any) {
	if c.failedAt(field) {
		return
	}
	p := Problem{Field: field, Message: fmt.Sprintf(format, args...)}
	p.Line, p.Column = c.position(field)
	c.problems = append(c.problems, p)
}

// failedAt reports whether field or one of its ancestors failed to decode.
func (c *checker) failedAt(field string) bool {
	if c.d == nil {
		return false
	}
	for path := field; ; path = parentPath(path) {
		if c.d.failed[path] {
			return true
		}
		if path == "" {
			return false
		}
	}
}

// failedUnder reports whether field or anything below it failed to decode;
// checks over a whole list (sums, order) skip such lists rather than
// reasoning about half-read values.
func (c *checker) failedUnder(field string) bool {
	if c.d == nil {
		return false
	}
	for path := range c.d.failed {
		if isWithin(path, field) || isWithin(field, path) {
			return true
		}
	}
	return false
}

// position returns the line and column of field, or of its nearest ancestor
// present in the file (a missing field is placed at its parent).
func (c *checker) position(field string) (line, column int) {
	if c.d == nil {
		return 0, 0
	}
	for path := field; ; path = parentPath(path) {
		if n, ok := c.d.nodes[path]; ok {
			return n.Line, n.Column
		}
		if path == "" {
			return 0, 0
		}
	}
}

// parentPath strips the last component of a dotted path:
// "metrics[2].margin" -> "metrics[2]" -> "metrics" -> "".
func parentPath(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

// isWithin reports whether path is ancestor or equal to descendant.
func isWithin(descendant, path string) bool {
	if path == "" || descendant == path {
		return true
	}
	if !strings.HasPrefix(descendant, path) {
		return false
	}
	next := descendant[len(path)]
	return next == '.' || next == '['
}

// Validate checks a plan built in code (Parse validates on its own). The
// error, if any, is a *ValidationError listing every problem.
func (p *Plan) Validate() error {
	if problems := check(p, nil); len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

// check applies every rule to p; d, when not nil, locates fields in the file.
func check(p *Plan, d *decoder) []Problem {
	c := &checker{d: d}
	checkHeader(c, p)
	checkArms(c, p)
	checkExposure(c, p.Exposure)
	checkAnalysis(c, p.Analysis)
	checkMetrics(c, p.Metrics)
	checkSegments(c, p.Segments)
	checkStages(c, p)
	checkTelemetry(c, p)
	checkHealth(c, p)
	return c.problems
}

// indexAt names item i of a list: "metrics[2]".
func indexAt(list string, i int) string { return fmt.Sprintf("%s[%d]", list, i) }

// fieldAt names a field of item i of a list: "metrics[2].kind".
func fieldAt(list string, i int, field string) string { return indexAt(list, i) + "." + field }

func oneOf(values ...string) string { return strings.Join(values, ", ") }
