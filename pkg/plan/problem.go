package plan

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a plan.
type Problem struct {
	// Line and Column locate the problem in the plan file (1-based); 0 when
	// unknown, e.g. for plans built in code.
	Line   int `json:"line"`
	Column int `json:"column"`
	// Field is the dotted path of the offending field as written in YAML,
	// e.g. "metrics[2].margin.relative"; empty for whole-file problems such
	// as syntax errors.
	Field string `json:"field"`
	// Message says what was expected.
	Message string `json:"message"`
}

// String formats the problem without a file name: "LINE:COL: FIELD: MESSAGE",
// leaving out the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, "%d:", p.Column)
		}
		b.WriteString(" ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists every problem found in one plan.
type ValidationError struct {
	File     string
	Problems []Problem
}

// Error prints one line per problem: "FILE:LINE:COL: FIELD: MESSAGE".
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		switch {
		case e.File == "":
			lines[i] = p.String()
		case p.Line > 0:
			lines[i] = e.File + ":" + p.String()
		default:
			lines[i] = e.File + ": " + p.String()
		}
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems as they appear in the file; problems without
// a position keep their relative order.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
}
