package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads and parses the plan file at path. A missing or unreadable file
// is a plain error; anything wrong with its content is a *ValidationError.
func Load(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes a YAML plan, fills the defaults and validates it. filename is
// only used in messages. Every problem found (syntax, unknown or mistyped
// fields, broken rules) is returned at once in a *ValidationError. When the
// YAML itself could be read, the decoded plan is returned alongside the error
// so that callers can still report its id; it must not be analysed.
func Parse(data []byte, filename string) (*Plan, error) {
	root, problems := parseDocument(data)
	if root == nil {
		return nil, &ValidationError{File: filename, Problems: problems}
	}
	d := newDecoder()
	p := newDefaultedPlan()
	if root.Kind != yaml.MappingNode {
		d.fail(root, "", "expected a plan (a mapping with id, start, arms, metrics, ...), got a %s", kindName(root))
	} else {
		d.decode(root, "", reflect.ValueOf(p).Elem())
	}
	problems = append(problems, d.problems...)
	problems = append(problems, check(p, d)...)
	if len(problems) > 0 {
		sortProblems(problems)
		return p, &ValidationError{File: filename, Problems: problems}
	}
	return p, nil
}

// syntaxLine picks the line number out of yaml.v3's syntax errors.
var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseDocument reads exactly one YAML document into a node tree. It returns
// a nil root when there is nothing to decode.
func parseDocument(data []byte) (root *yaml.Node, problems []Problem) {
	// yaml.v3 reports syntax errors by panicking internally and recovering;
	// this guard keeps any panic it fails to recover from reaching callers.
	defer func() {
		if r := recover(); r != nil {
			root, problems = nil, []Problem{{Message: fmt.Sprintf("cannot read YAML: %v", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []Problem{{Message: "empty plan: expected a mapping with id, start, arms, metrics, ..."}}
		}
		return nil, []Problem{syntaxProblem(err)}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		problems = append(problems, Problem{Line: extra.Line, Column: extra.Column,
			Message: "a plan file holds one YAML document; found a second one"})
	case !errors.Is(err, io.EOF):
		problems = append(problems, syntaxProblem(err))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, append(problems, Problem{Message: "empty plan: expected a mapping with id, start, arms, metrics, ..."})
	}
	root = doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, append(problems, Problem{Line: root.Line, Column: root.Column,
			Message: "empty plan: expected a mapping with id, start, arms, metrics, ..."})
	}
	return root, problems
}

// parserMessages are the problems yaml.v3 reports from its parser (as
// opposed to its scanner). For these it prints a 0-based line number while
// scanner errors are 1-based, so they need one added.
var parserMessages = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

func syntaxProblem(err error) Problem {
	if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		if slices.Contains(parserMessages, m[2]) {
			line++
		}
		return Problem{Line: line, Message: "invalid YAML: " + m[2]}
	}
	return Problem{Message: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
}
