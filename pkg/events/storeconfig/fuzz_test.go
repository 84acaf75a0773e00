package storeconfig

import "testing"

// FuzzParseArbitraryFiles feeds arbitrary bytes: Parse never panics, and
// whatever it accepts is a valid configuration with exactly the block its
// type names.
func FuzzParseArbitraryFiles(f *testing.F) {
	for _, seed := range []string{
		"type: clickhouse\nclickhouse: {addr: h, mapping: posthog}\n",
		"type: postgres\npostgres: {dsn: 'postgres://u:p@h/db', mapping: {table: t, columns: {event: e, unit: u, time: t, properties: p}}}\n",
		`{"type": "postgres", "postgres": {"addr": "h", "settings": {"work_mem": "64MB"}}}`,
		"type: clickhouse\nclickhouse:\n  <<: {addr: h}\n  tls: {enabled: true}\n",
		"type: clickhouse\nclickhouse: &a {addr: h}\npostgres: *a\n",
		"- 1\n", "type: [x]\n", "clickhouse: ~\n", "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate refuses: %v\n%s", err, data)
		}
		switch c.Type {
		case TypeClickHouse:
			if c.ClickHouse == nil || c.Postgres != nil {
				t.Fatalf("type clickhouse with blocks %v/%v", c.ClickHouse != nil, c.Postgres != nil)
			}
		case TypePostgres:
			if c.Postgres == nil || c.ClickHouse != nil {
				t.Fatalf("type postgres with blocks %v/%v", c.ClickHouse != nil, c.Postgres != nil)
			}
		default:
			t.Fatalf("accepted type %q", c.Type)
		}
	})
}
