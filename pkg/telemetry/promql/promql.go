// Package promql is liftgate's one place that reads and writes PromQL. Arm
// matchers are added to the parsed expression tree and the query is printed
// back by the Prometheus parser, never assembled by pasting strings, so a
// label value holding quotes, backslashes or braces cannot change what a query
// means. The plan validates expressions with it; the telemetry package builds
// every query with it.
package promql

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// maxExprBytes bounds what is handed to the parser; real expressions are a
// few hundred bytes.
const maxExprBytes = 64 << 10

// Parse reads one PromQL expression with the parser's default options.
func Parse(expr string) (parser.Expr, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("empty expression")
	}
	if len(expr) > maxExprBytes {
		return nil, fmt.Errorf("expression is %d bytes; at most %d are accepted", len(expr), maxExprBytes)
	}
	if !utf8.ValidString(expr) {
		return nil, errors.New("expression is not valid UTF-8")
	}
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ValidLabelName reports whether name can be an arm label: a non-empty UTF-8
// label name that is not reserved (names starting with "__" are Prometheus's
// own). Names outside [a-zA-Z_][a-zA-Z0-9_]* are valid only on servers with
// UTF-8 names (Prometheus 3 and later); the parser quotes them when printing.
func ValidLabelName(name string) bool {
	return model.UTF8Validation.IsValidLabelName(name) && !strings.HasPrefix(name, "__")
}

// LegacyLabelName reports whether name needs no quoting in PromQL, so that
// every Prometheus version understands a matcher on it.
func LegacyLabelName(name string) bool {
	return model.LegacyValidation.IsValidLabelName(name)
}

// ArmLabelConflictError says that an expression already constrains the arm
// label, which liftgate sets itself for each arm.
type ArmLabelConflictError struct {
	Label    string
	Selector string
}

func (e *ArmLabelConflictError) Error() string {
	return fmt.Sprintf("selector %s already matches on the arm label %q; leave it out: liftgate adds %s=\"<arm value>\" to every selector itself", e.Selector, e.Label, e.Label)
}

// selectors returns the expression's vector selectors, including those under
// range selectors, subqueries, functions and both sides of binary operators.
func selectors(e parser.Expr) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

// checkNoArmMatcher fails when a selector already matches on label.
func checkNoArmMatcher(vss []*parser.VectorSelector, label string) error {
	for _, vs := range vss {
		for _, m := range vs.LabelMatchers {
			if m != nil && m.Name == label {
				return &ArmLabelConflictError{Label: label, Selector: vs.String()}
			}
		}
	}
	return nil
}

// CheckArmQuery checks an expression that is evaluated once per arm: it must
// parse, evaluate to an instant vector, contain at least one series selector
// (or no arm could be told from another) and leave the arm label alone.
func CheckArmQuery(expr, armLabel string) error {
	e, err := Parse(expr)
	if err != nil {
		return err
	}
	if t := e.Type(); t != parser.ValueTypeVector {
		return fmt.Errorf("must evaluate to an instant vector, got a %s", t)
	}
	vss := selectors(e)
	if len(vss) == 0 {
		return errors.New("has no series selector, so it cannot differ between arms")
	}
	return checkNoArmMatcher(vss, armLabel)
}

// CheckVector checks an expression that is evaluated as written (no arm
// matcher): it must parse and evaluate to an instant vector.
func CheckVector(expr string) error {
	e, err := Parse(expr)
	if err != nil {
		return err
	}
	if t := e.Type(); t != parser.ValueTypeVector {
		return fmt.Errorf("must evaluate to an instant vector, got a %s", t)
	}
	return nil
}

// CheckSelector checks a plain series selector such as
// http_requests_total{code=~"5.."}: no function, operator, offset or @, and
// no matcher on the arm label. When nameSuffix is not empty the metric name
// must end with it (histograms: "_bucket").
func CheckSelector(expr, armLabel, nameSuffix string) error {
	e, err := Parse(expr)
	if err != nil {
		return err
	}
	vs, ok := e.(*parser.VectorSelector)
	if !ok {
		return fmt.Errorf("must be a plain series selector like http_requests_total{job=\"api\"}, got %s", describe(e))
	}
	if vs.OriginalOffset != 0 || vs.OriginalOffsetExpr != nil || vs.Timestamp != nil || vs.StartOrEnd != 0 {
		return errors.New("must not use offset or @: liftgate sets the time range itself")
	}
	name := metricName(vs)
	if name == "" {
		return errors.New("must name a metric (e.g. http_requests_total{...}), not only label matchers")
	}
	if nameSuffix != "" && !strings.HasSuffix(name, nameSuffix) {
		return fmt.Errorf("must select the histogram's %s series (e.g. http_request_duration_seconds%s), got %s", nameSuffix, nameSuffix, name)
	}
	return checkNoArmMatcher([]*parser.VectorSelector{vs}, armLabel)
}

// metricName is the selector's metric name, written before the braces or as
// an equality matcher on __name__.
func metricName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m != nil && m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

func describe(e parser.Expr) string {
	switch e.(type) {
	case *parser.Call:
		return "a function call"
	case *parser.AggregateExpr:
		return "an aggregation"
	case *parser.BinaryExpr:
		return "a binary expression"
	case *parser.MatrixSelector:
		return "a range selector"
	case *parser.SubqueryExpr:
		return "a subquery"
	}
	return "a " + string(e.Type())
}

// InjectArm returns expr with the matcher label="value" added to every
// series selector, printed by the Prometheus parser. It fails when a
// selector already matches on label.
func InjectArm(expr, label, value string) (string, error) {
	if !ValidLabelName(label) {
		return "", fmt.Errorf("arm label %q is not a valid label name", label)
	}
	if !utf8.ValidString(value) {
		return "", fmt.Errorf("arm value %q is not valid UTF-8", value)
	}
	e, err := Parse(expr)
	if err != nil {
		return "", err
	}
	vss := selectors(e)
	if len(vss) == 0 {
		return "", errors.New("expression has no series selector to add the arm matcher to")
	}
	if err := checkNoArmMatcher(vss, label); err != nil {
		return "", err
	}
	for _, vs := range vss {
		m, err := labels.NewMatcher(labels.MatchEqual, label, value)
		if err != nil {
			return "", err
		}
		vs.LabelMatchers = append(vs.LabelMatchers, m)
	}
	return e.String(), nil
}

// SumIncrease renders sum by (by...) (increase(selector[window])): the
// counter's growth over each window, summed over the selected series. The
// selector must be a plain series selector (see CheckSelector).
func SumIncrease(selector string, window time.Duration, by ...string) (string, error) {
	e, err := Parse(selector)
	if err != nil {
		return "", err
	}
	vs, ok := e.(*parser.VectorSelector)
	if !ok {
		return "", fmt.Errorf("%s is not a plain series selector", selector)
	}
	if window <= 0 {
		return "", fmt.Errorf("window must be positive, got %s", window)
	}
	call := &parser.Call{
		Func: parser.Functions["increase"],
		Args: parser.Expressions{&parser.MatrixSelector{VectorSelector: vs, Range: window}},
	}
	agg := &parser.AggregateExpr{Op: parser.SUM, Expr: call, Grouping: by}
	return agg.String(), nil
}

// HistogramQuantile renders histogram_quantile(q, sum by (le)
// (increase(bucketSelector[window]))), the quantile Prometheus itself
// computes from classic histogram buckets; used to check liftgate's own
// bucket interpolation against the server's.
func HistogramQuantile(q float64, bucketSelector string, window time.Duration) (string, error) {
	inner, err := SumIncrease(bucketSelector, window, "le")
	if err != nil {
		return "", err
	}
	e, err := Parse(inner)
	if err != nil {
		return "", err
	}
	call := &parser.Call{
		Func: parser.Functions["histogram_quantile"],
		Args: parser.Expressions{&parser.NumberLiteral{Val: q}, e},
	}
	return call.String(), nil
}
