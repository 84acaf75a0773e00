// Command liftgate validates plans, imports events, analyzes experiments and
// plans their size. It is a thin shell over pkg/engine and pkg/stats.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
)

// version is set at build time with -ldflags.
var version = "dev"

// runner runs a parsed subcommand, writing results to out.
type runner func(ctx context.Context, out io.Writer) error

// exitError carries an exit code other than 1 (for example 2 when a command
// ran but its verdict is that the input is invalid).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args and runs one subcommand; it returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	app := kingpin.New("liftgate", "Safe, measurable progressive rollouts: validate plans, import events, analyze experiments, plan their size.")
	app.Version(version)
	app.HelpFlag.Short('h')
	app.UsageWriter(stderr)
	app.ErrorWriter(stderr)
	// kingpin would os.Exit after --help or --version; remember instead, so
	// run stays testable and the parse error that follows is not printed.
	terminated := false
	app.Terminate(func(int) { terminated = true })

	commands := map[string]runner{}
	for _, register := range []func(*kingpin.Application) (string, runner){
		registerValidate,
		registerImport,
		registerAnalyze,
		registerPower,
		registerNote,
		registerHistory,
	} {
		name, r := register(app)
		commands[name] = r
	}

	selected, err := app.Parse(args)
	if terminated {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "liftgate: %v\n", err)
		return 2
	}
	r, ok := commands[selected]
	if !ok { // --help or --version already printed
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := r(ctx, stdout); err != nil {
		fmt.Fprintf(stderr, "liftgate %s: %v\n", selected, err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}
