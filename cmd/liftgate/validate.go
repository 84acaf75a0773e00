package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/alecthomas/kingpin/v2"

	"github.com/liftgate/liftgate/pkg/plan"
)

// validateResult is one plan's outcome, as printed by --format json.
type validateResult struct {
	File     string         `json:"file"`
	OK       bool           `json:"ok"`
	ID       string         `json:"id"`
	Hash     string         `json:"hash"`
	Problems []plan.Problem `json:"problems"`
	// unreadable marks a file that could not be read at all, which is an
	// error running the command rather than a verdict on a plan.
	unreadable bool
}

// registerValidate adds "liftgate validate PLAN...". It exits 0 when every
// plan is valid, 2 when some plan is invalid and 1 when a file cannot be read.
func registerValidate(app *kingpin.Application) (string, runner) {
	cmd := app.Command("validate", "Check preregistered plan files; print each valid plan's id and hash, or every problem of an invalid one.")
	files := cmd.Arg("plan", "Plan files (YAML).").Required().Strings()
	format := cmd.Flag("format", "Output format: text or json.").Default("text").Enum("text", "json")
	return cmd.FullCommand(), func(ctx context.Context, out io.Writer) error {
		results := make([]validateResult, 0, len(*files))
		for _, file := range *files {
			if err := ctx.Err(); err != nil {
				return err
			}
			results = append(results, validateFile(file))
		}
		var err error
		if *format == "json" {
			err = printValidateJSON(out, results)
		} else {
			err = printValidateText(out, results)
		}
		if err != nil {
			return err
		}
		return validateOutcome(results)
	}
}

func validateFile(file string) validateResult {
	r := validateResult{File: file, Problems: []plan.Problem{}}
	p, err := plan.Load(file)
	if p != nil {
		r.ID = p.ID
	}
	var invalid *plan.ValidationError
	switch {
	case err == nil:
		r.OK, r.Hash = true, p.Hash()
	case errors.As(err, &invalid):
		r.Problems = invalid.Problems
	default:
		r.unreadable = true
		r.Problems = []plan.Problem{{Message: err.Error()}}
	}
	return r
}

func printValidateText(out io.Writer, results []validateResult) error {
	for _, r := range results {
		if r.OK {
			if _, err := fmt.Fprintf(out, "OK %s id=%s hash=%s\n", r.File, r.ID, r.Hash); err != nil {
				return err
			}
			continue
		}
		if _, err := fmt.Fprintln(out, (&plan.ValidationError{File: r.File, Problems: r.Problems}).Error()); err != nil {
			return err
		}
	}
	return nil
}

func printValidateJSON(out io.Writer, results []validateResult) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

// validateOutcome turns the results into the command's error and exit code.
func validateOutcome(results []validateResult) error {
	failed, unreadable := 0, 0
	for _, r := range results {
		if !r.OK {
			failed++
		}
		if r.unreadable {
			unreadable++
		}
	}
	if failed == 0 {
		return nil
	}
	err := fmt.Errorf("%d of %d plans failed validation", failed, len(results))
	if unreadable > 0 {
		return fmt.Errorf("%w (%d could not be read)", err, unreadable)
	}
	return &exitError{code: 2, err: err}
}
