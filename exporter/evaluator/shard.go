package evaluator

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Shard selects the plans one exporter of several evaluates: plan ids are
// hashed with SHA-256 (stable across versions and machines, and well mixed:
// FNV-1a's low bit is just the XOR of the characters' low bits, which
// splits ids like exp-1, exp-2, ... by parity) and an exporter with
// Shard{Index: i, Count: n} takes the ids whose hash, read as a big-endian
// uint64 from its first 8 bytes, is i modulo n. The zero Shard takes every
// plan.
type Shard struct {
	Index, Count int
}

// ParseShard reads "i/n" with 0 <= i < n, e.g. "0/3". "" means all plans.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("--shard: expected i/n with 0 <= i < n (e.g. 0/2 and 1/2 for two exporters), got %q", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// Owns reports whether this shard evaluates the experiment id.
func (s Shard) Owns(id string) bool {
	if s.Count <= 1 {
		return true
	}
	sum := sha256.Sum256([]byte(id))
	return binary.BigEndian.Uint64(sum[:8])%uint64(s.Count) == uint64(s.Index)
}

func (s Shard) String() string {
	if s.Count <= 1 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}
