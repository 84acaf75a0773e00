package e2e

import (
	"net"
	"net/http"
	"testing"
	"time"
)

// FreePort returns a loopback port that was free a moment ago. Callers
// retry on a clash.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// WaitHTTP polls url until it answers 200 or the deadline passes.
func WaitHTTP(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: 2 * time.Second}
	var lastErr error
	for time.Now().Before(deadline) {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			lastErr = &statusError{url: url, status: resp.StatusCode}
		} else {
			lastErr = err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return lastErr
}

type statusError struct {
	url    string
	status int
}

func (e *statusError) Error() string { return e.url + ": HTTP " + http.StatusText(e.status) }
