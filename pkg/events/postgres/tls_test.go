package postgres

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// testCerts makes a CA and a server certificate for 127.0.0.1 signed by it.
func testCerts(t *testing.T) (caPEM, certPEM, keyPEM []byte) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "liftgate test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTLS connects with certificate verification to a server with TLS on,
// and shows that verification and "require" actually refuse what they should.
func TestTLS(t *testing.T) {
	caPEM, certPEM, keyPEM := testCerts(t)
	caFile := writeFile(t, "ca.pem", caPEM)
	srv := testserver.StartPostgres(t, testserver.WithPostgresTLS(certPEM, keyPEM))
	ctx := context.Background()
	cfg := func(tls TLS) Config {
		return Config{Addr: srv.Addr(), Database: "postgres", User: srv.User, Password: Secret(srv.Password), TLS: tls, Mapping: events.LiftgateMapping()}
	}

	src, err := Open(ctx, cfg(TLS{Mode: "verify-full", CAFile: caFile}))
	if err != nil {
		t.Fatalf("verify-full with the CA: %v", err)
	}
	defer src.Close()
	var encrypted bool
	if err := src.pool.QueryRow(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&encrypted); err != nil || !encrypted {
		t.Fatalf("connection not encrypted: %v %v", encrypted, err)
	}

	// Without the CA the server's certificate is unknown.
	otherCA, _, _ := testCerts(t)
	if s, err := Open(ctx, cfg(TLS{Mode: "verify-full", CAFile: writeFile(t, "other.pem", otherCA)})); err == nil {
		s.Close()
		t.Fatal("verify-full accepted a certificate from an unknown CA")
	} else if !strings.Contains(err.Error(), "postgres: open") {
		t.Errorf("error does not name the source and operation: %v", err)
	}

	// "require" against a server without TLS fails rather than falling back.
	plain := testserver.StartPostgres(t)
	c := cfg(TLS{Mode: "require"})
	c.Addr = plain.Addr()
	c.Password = Secret(plain.Password)
	if s, err := Open(ctx, c); err == nil {
		s.Close()
		t.Fatal("require connected to a server without TLS")
	}
}
