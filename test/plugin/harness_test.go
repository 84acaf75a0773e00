// Package plugin_test speaks Grafana's plugin protocol to the built plugin
// binary: it starts it as Grafana does (go-plugin handshake, gRPC) and
// queries it against real sources — the liftgate exporter with its
// embedded DuckDB store, ClickHouse and Prometheus — checking the frames
// against golden files and against the engine on the same data.
//
// Environment:
//
//	LIFTGATE_PLUGIN_BUILD=mage|go  how to build the plugin (default mage,
//	                               as the release does; go is quicker)
//	LIFTGATE_PLUGIN_BIN=path       use an already built plugin binary
//	LIFTGATE_UPDATE_GOLDEN=1       rewrite the golden files
package plugin_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = "../.."

// The example experiment and its events: the engine's reference data set
// (pkg/engine/testdata), which the Python reference also reads.
const (
	planFile   = repoRoot + "/examples/checkout-v2.yaml"
	eventsFile = repoRoot + "/pkg/engine/testdata/checkout-v2.ndjson.gz"
	experiment = "checkout-v2"
	apiToken   = "harness-api-token"
)

// suite is what every test shares: one plugin binary, one exporter with the
// example events, and an in-process copy of the same events to compute
// expectations with the engine.
var suite struct {
	pluginBin   string
	exporterBin string
	exporterURL string
	local       *duckdb.Store // the same events, in this process
	fixture     telFixture
	tmp         string
}

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugin harness:", err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	// Listing tests (scripts/fuzz-brief.sh does) needs no sources.
	flag.Parse()
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		return m.Run(), nil
	}
	tmp, err := os.MkdirTemp("", "liftgate-plugin-harness-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(tmp)
	suite.tmp = tmp

	if suite.pluginBin, err = buildPlugin(tmp); err != nil {
		return 1, err
	}
	exporterBin := filepath.Join(tmp, "liftgate_exporter")
	if err := goBuild(exporterBin, "./exporter", nil); err != nil {
		return 1, fmt.Errorf("building the exporter: %w", err)
	}

	// The exporter's store file and the local copy hold the same events:
	// the example experiment's and the telemetry fixture's.
	evs, err := readEvents(eventsFile)
	if err != nil {
		return 1, err
	}
	if suite.fixture, err = loadTelFixture(); err != nil {
		return 1, err
	}
	evs = append(evs, fixtureEvents(suite.fixture)...)
	storePath := filepath.Join(tmp, "events.duckdb")
	if err := writeStore(storePath, evs); err != nil {
		return 1, err
	}
	if suite.local, err = duckdb.Open(""); err != nil {
		return 1, err
	}
	defer suite.local.Close()
	if _, err := suite.local.Append(context.Background(), evs); err != nil {
		return 1, err
	}

	suite.exporterBin = exporterBin
	url, stop, err := startExporter(exporterBin, storePath, filepath.Join(tmp, "exporter"))
	if err != nil {
		return 1, err
	}
	defer stop()
	suite.exporterURL = url
	defer func() { stopBench() }() // the benchmarks' exporter, if one ran
	return m.Run(), nil
}

// buildPlugin builds the plugin binary the way the release does (mage
// build:linux) unless told otherwise, into the temporary directory
// (Magefile.go honours LIFTGATE_PLUGIN_OUT) so that dist/ is left alone.
func buildPlugin(tmp string) (string, error) {
	if bin := os.Getenv("LIFTGATE_PLUGIN_BIN"); bin != "" {
		return filepath.Abs(bin)
	}
	if os.Getenv("LIFTGATE_PLUGIN_BUILD") == "go" {
		bin := filepath.Join(tmp, "gpx_liftgate")
		return bin, goBuild(bin, "./pkg", []string{"CGO_ENABLED=0"})
	}
	target := "build:linux"
	if runtime.GOARCH == "arm64" {
		target = "build:linuxARM64"
	}
	out := filepath.Join(tmp, "dist")
	cmd := exec.Command("go", "run", "github.com/magefile/mage@v1.17.2", "-v", target)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "LIFTGATE_PLUGIN_OUT="+out)
	if log, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("mage %s: %v\n%s", target, err, log)
	}
	return filepath.Join(out, "gpx_liftgate_linux_"+runtime.GOARCH), nil
}

func goBuild(out, pkg string, env []string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", abs, pkg)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return nil
}

// readEvents decodes an event file the way `liftgate import` does.
func readEvents(path string) ([]events.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec, err := events.DecoderFor(path, f)
	if err != nil {
		return nil, err
	}
	var out []events.Event
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, ev)
	}
}

// writeStore writes events into a DuckDB file and closes it.
func writeStore(storePath string, evs []events.Event) error {
	store, err := duckdb.Open(storePath)
	if err != nil {
		return err
	}
	_, err = store.Append(context.Background(), evs)
	return errors.Join(err, store.Close())
}

// startExporter runs the exporter on a free loopback port with the example
// plans (its plans directory and token under dir) and waits until it serves
// them.
func startExporter(bin, storePath, dir string) (url string, stop func(), err error) {
	plans := filepath.Join(dir, "plans")
	if err := os.MkdirAll(plans, 0o755); err != nil {
		return "", nil, err
	}
	for _, f := range []string{planFile, telemetryPlanFile} {
		src, err := os.ReadFile(f)
		if err != nil {
			return "", nil, err
		}
		if err := os.WriteFile(filepath.Join(plans, filepath.Base(f)), src, 0o644); err != nil {
			return "", nil, err
		}
	}
	tokenFile := filepath.Join(dir, "api-token")
	if err := os.WriteFile(tokenFile, []byte(apiToken+"\n"), 0o600); err != nil {
		return "", nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin,
		"--plans.dir="+plans, "--store.path="+storePath, "--web.listen-address="+addr,
		"--api.token-file="+tokenFile, "--evaluation.interval=1h", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	url = "http://" + addr
	deadline := time.Now().Add(120 * time.Second)
	for {
		ok, probeErr := exporterServes(url)
		if ok {
			return url, stop, nil
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			stop()
			return "", nil, fmt.Errorf("the exporter did not serve plan %s within 120s (%v); its log:\n%s", experiment, probeErr, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func exporterServes(base string) (bool, error) {
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/plans", nil)
	req.Header.Set("Authorization", "Bearer "+apiToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && strings.Contains(string(body), `"`+experiment+`"`), nil
}

// freeAddr picks a free loopback port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// exporterSource is the data source configured on the exporter's
// embedded store.
func exporterSource(uid string) dataSource {
	return dataSource{
		uid:      uid,
		jsonData: map[string]any{"exporterUrl": suite.exporterURL, "eventStore": "exporter", "cacheTtl": "30s"},
		secure:   map[string]string{"exporterToken": apiToken},
		updated:  time.Unix(1700000000, 0),
	}
}
