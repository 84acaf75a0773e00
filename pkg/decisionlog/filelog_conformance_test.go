package decisionlog_test

import (
	"testing"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/decisionlog/logtest"
)

func TestFileLogConformance(t *testing.T) {
	logtest.Run(t, func(t *testing.T) logtest.Opener {
		dir := t.TempDir()
		return func(t *testing.T, opts decisionlog.Options) decisionlog.Log {
			l, err := decisionlog.OpenFile(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
	})
}
