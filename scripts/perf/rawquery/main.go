// Command rawquery runs the bare per-arm aggregation for the example plan's
// primary metric directly in a DuckDB store: first exposure per unit, a
// 72-hour conversion per unit, then count and sum per arm. It is the
// baseline `liftgate analyze` is compared against in docs/performance.md
// (DuckDB's own CLI is not packaged for Debian 12, so this stands in for
// typing the query into it).
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

const query = `
WITH first AS (
	SELECT unit_id, min(ts) AS t0, arg_min(json_extract_string(properties, '$.variation_id'), ts) AS arm
	FROM events
	WHERE event = 'experiment_viewed' AND json_extract_string(properties, '$.experiment_id') = 'checkout-v2'
	GROUP BY unit_id
),
per_unit AS (
	SELECT f.arm, f.unit_id, (count(e.unit_id) > 0)::INT AS converted
	FROM first f LEFT JOIN events e
		ON e.unit_id = f.unit_id AND e.event = 'purchase' AND e.ts >= f.t0 AND e.ts < f.t0 + INTERVAL 72 HOUR
	GROUP BY f.arm, f.unit_id
)
SELECT arm, count(*) AS units, sum(converted) AS conversions FROM per_unit GROUP BY arm ORDER BY arm`

func main() {
	db := flag.String("db", "", "DuckDB file written by liftgate import")
	flag.Parse()
	conn, err := sql.Open("duckdb", *db+"?access_mode=READ_ONLY")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer conn.Close()
	start := time.Now()
	rows, err := conn.Query(query)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer rows.Close()
	for rows.Next() {
		var arm sql.NullString
		var units, conv int64
		if err := rows.Scan(&arm, &units, &conv); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s\t%d\t%d\n", arm.String, units, conv)
	}
	fmt.Printf("query: %.3fs\n", time.Since(start).Seconds())
}
