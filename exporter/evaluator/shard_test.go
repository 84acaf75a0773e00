package evaluator

import (
	"fmt"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, bad := range []string{"1", "2/2", "-1/2", "0/0", "a/b", "1/2/3", "0/-1"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	s, err := ParseShard("1/3")
	if err != nil || s != (Shard{Index: 1, Count: 3}) {
		t.Errorf("ParseShard(1/3) = %+v, %v", s, err)
	}
	if s, err := ParseShard(""); err != nil || s.Count != 0 || !s.Owns("anything") {
		t.Errorf("empty shard = %+v, %v; want all plans", s, err)
	}
}

// Every id belongs to exactly one shard of n, and the split is roughly even.
func TestShardsPartitionIDs(t *testing.T) {
	const n, ids = 3, 3000
	counts := make([]int, n)
	for i := 0; i < ids; i++ {
		id := fmt.Sprintf("experiment-%d", i)
		owners := 0
		for s := 0; s < n; s++ {
			if (Shard{Index: s, Count: n}).Owns(id) {
				owners++
				counts[s]++
			}
		}
		if owners != 1 {
			t.Fatalf("%s is owned by %d shards", id, owners)
		}
	}
	for s, c := range counts {
		if c < ids/n*8/10 || c > ids/n*12/10 {
			t.Errorf("shard %d owns %d of %d ids; the hash spreads badly: %v", s, c, ids, counts)
		}
	}
}

// The hash is part of the deployment contract (which exporter runs which
// plan); pin it with values computed independently:
//
//	python3 -c "import hashlib; h=lambda s: int.from_bytes(hashlib.sha256(s.encode()).digest()[:8], 'big')
//	print(h('checkout-v2') % 3, h('checkout-v3') % 3, h('checkout-three-arms') % 2)"  # 0 1 1
func TestShardHashIsStable(t *testing.T) {
	for _, c := range []struct {
		id           string
		index, count int
	}{{"checkout-v2", 0, 3}, {"checkout-v3", 1, 3}, {"checkout-three-arms", 1, 2}} {
		if !(Shard{Index: c.index, Count: c.count}).Owns(c.id) {
			t.Errorf("%s is no longer owned by shard %d/%d: the assignment changed", c.id, c.index, c.count)
		}
	}
}
