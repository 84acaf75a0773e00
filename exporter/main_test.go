package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/liftgate/liftgate/exporter/server"
)

// Binaries built once for every test of this package: the exporter under
// test and the liftgate CLI it is checked against.
var exporterBin, liftgateBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "liftgate-exporter-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		exporterBin = filepath.Join(dir, "liftgate_exporter")
		liftgateBin = filepath.Join(dir, "liftgate")
		for _, b := range []struct{ out, pkg string }{{exporterBin, "."}, {liftgateBin, "../cmd/liftgate"}} {
			// A version, so the landing page screenshot shows one.
			cmd := exec.Command("go", "build", "-ldflags", "-X github.com/prometheus/common/version.Version=e2e", "-o", b.out, b.pkg)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "building %s: %v\n", b.pkg, err)
				return 1
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

// repoPath is a path relative to the repository root.
func repoPath(parts ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), ".."}, parts...)...)
}

// exampleEvents reads the committed example events as NDJSON lines.
func exampleEvents(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open(repoPath("examples", "data", "checkout-v2.ndjson.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// postBatch sends lines as one NDJSON request and decodes the answer.
func postBatch(baseURL, token string, lines [][]byte) (int, server.IngestResponse, error) {
	req, err := http.NewRequest(http.MethodPost, baseURL+"/api/v1/events", bytes.NewReader(bytes.Join(lines, []byte("\n"))))
	if err != nil {
		return 0, server.IngestResponse{}, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, server.IngestResponse{}, err
	}
	defer resp.Body.Close()
	var r server.IngestResponse
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, r, fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
	err = json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r, err
}

// ingestAll posts lines in batches and fails the test on any refusal.
func ingestAll(t testing.TB, baseURL, token string, lines [][]byte, batch int) (inserted, duplicates int) {
	t.Helper()
	for i := 0; i < len(lines); i += batch {
		status, r, err := postBatch(baseURL, token, lines[i:min(i+batch, len(lines))])
		if err != nil || status != http.StatusOK || r.Rejected != 0 {
			t.Fatalf("batch at line %d: status %d, %+v, %v", i, status, r, err)
		}
		inserted += r.Inserted
		duplicates += r.Duplicates
	}
	return inserted, duplicates
}
