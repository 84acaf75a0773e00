package clickhouse

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// serverInfo is what the server supports, read once at Open. Debian's 18.16
// has none of the optional features; newer servers have all of them.
type serverInfo struct {
	version string
	// jsonExtract: JSONExtractRaw (19.x), which reads top-level keys only
	// and tolerates any JSON spacing, unlike visitParamExtractRaw.
	jsonExtract bool
	// unixMicro: toUnixTimestamp64Micro (20.x), needed for DateTime64 columns.
	unixMicro bool
	// dateTime64: the DateTime64 type (20.1), used by CreateLiftgateSchema
	// to keep microseconds.
	dateTime64 bool
}

// readServerInfo asks the server for its version, functions and types.
// system.functions and system.data_type_families exist in every version
// liftgate supports.
func readServerInfo(ctx context.Context, conn driver.Conn) (serverInfo, error) {
	var info serverInfo
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&info.version); err != nil {
		return info, err
	}
	present := func(sql string) (map[string]bool, error) {
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return nil, err
			}
			out[name] = true
		}
		return out, rows.Err()
	}
	funcs, err := present("SELECT name FROM system.functions WHERE name IN ('JSONExtractRaw', 'toUnixTimestamp64Micro')")
	if err != nil {
		return info, err
	}
	types, err := present("SELECT name FROM system.data_type_families WHERE name IN ('DateTime64')")
	if err != nil {
		return info, err
	}
	info.jsonExtract = funcs["JSONExtractRaw"]
	info.unixMicro = funcs["toUnixTimestamp64Micro"]
	info.dateTime64 = types["DateTime64"]
	return info, nil
}
