package clickhouse

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// DefaultSpillBytes is the default of max_bytes_before_external_group_by and
// max_bytes_before_external_sort: once a query's aggregation or sort holds
// this much, ClickHouse writes it to disk instead of growing until it hits
// max_memory_usage and fails. The per-unit and duplicate-id aggregations
// grow with units and events, so at 10M units they need it. 1 GiB keeps
// small queries in memory and stays under half of the usual per-query
// budgets (ClickHouse's advice for the external GROUP BY threshold).
const DefaultSpillBytes = 1 << 30

// defaultSettings are sent with every query unless Config.Settings names
// the same setting. max_memory_usage is left to the server.
var defaultSettings = map[string]int{
	"max_bytes_before_external_group_by": DefaultSpillBytes,
	"max_bytes_before_external_sort":     DefaultSpillBytes,
}

// reservedSettings are set by the source itself; the value says why they
// may not appear in Config.Settings.
var reservedSettings = map[string]string{
	"max_execution_time": "it is set from query_timeout",
	"join_use_nulls":     "the queries rely on join_use_nulls = 0",
}

// settingName is a plain ClickHouse setting name. Names reach the server
// as protocol fields, never as SQL, but a strict shape still catches typos
// and quoting accidents early.
var settingName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// checkSettings validates Config.Settings: plain names, no reserved ones,
// and values that are whole numbers >= 0 or strings.
func checkSettings(settings map[string]any) error {
	for _, name := range sortedNames(settings) {
		if !settingName.MatchString(name) {
			return fmt.Errorf("settings: %q is not a ClickHouse setting name (lower-case letters, digits and _)", name)
		}
		if why, ok := reservedSettings[name]; ok {
			return fmt.Errorf("settings: %s may not be set here: %s", name, why)
		}
		if _, err := settingValue(settings[name]); err != nil {
			return fmt.Errorf("settings: %s: %v", name, err)
		}
	}
	return nil
}

// settingValue turns a decoded YAML/JSON value into what clickhouse-go
// sends: an int, or a string.
func settingValue(v any) (any, error) {
	switch x := v.(type) {
	case int:
		if x < 0 {
			return nil, fmt.Errorf("must not be negative, got %d", x)
		}
		return x, nil
	case int64:
		if x < 0 || x > math.MaxInt {
			return nil, fmt.Errorf("must be a whole number from 0 to %d, got %d", math.MaxInt, x)
		}
		return int(x), nil
	case uint64:
		if x > math.MaxInt {
			return nil, fmt.Errorf("must be a whole number from 0 to %d, got %d", math.MaxInt, x)
		}
		return int(x), nil
	case float64: // YAML reads 1e9 and JSON numbers as floats
		if x < 0 || x != math.Trunc(x) || x >= float64(math.MaxInt) {
			return nil, fmt.Errorf("must be a whole number >= 0 or a string, got %v", x)
		}
		return int(x), nil
	case string:
		if strings.ContainsAny(x, "\x00\n\r") {
			return nil, fmt.Errorf("must be a single line without NUL bytes")
		}
		return x, nil
	default:
		return nil, fmt.Errorf("must be a whole number >= 0 or a string, got %T %v", v, v)
	}
}

// querySettings are the settings sent with every query: the defaults, then
// Config.Settings over them. Config.Validate has checked the values.
func querySettings(configured map[string]any) ch.Settings {
	out := ch.Settings{}
	for name, v := range defaultSettings {
		out[name] = v
	}
	for name, v := range configured {
		if value, err := settingValue(v); err == nil {
			out[name] = value
		}
	}
	return out
}

// checkServerSettings asks the server whether it knows every configured
// setting, so a typo fails at Open with its name instead of failing every
// query. Servers before 19.x take settings over the native protocol in a
// binary form that clickhouse-go can only write for whole numbers, so
// there a string value, or a setting that does not hold a whole number
// (a string or float setting), is refused here rather than garbling the
// query.
func checkServerSettings(ctx context.Context, conn driver.Conn, serverVersion string, settings ch.Settings) error {
	names := sortedNames(settings)
	rows, err := conn.Query(ctx, "SELECT name, value FROM system.settings WHERE has(@names, name)", ch.Named("names", names))
	if err != nil {
		return err
	}
	defer rows.Close()
	current := map[string]string{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return err
		}
		current[name] = value
	}
	if err := rows.Err(); err != nil {
		return err
	}
	handshake, err := conn.ServerVersion()
	if err != nil {
		return err
	}
	binaryOnly := min(handshake.Revision, proto.DBMS_TCP_PROTOCOL_VERSION) <= proto.DBMS_MIN_REVISION_WITH_SETTINGS_SERIALIZED_AS_STRINGS
	for _, name := range names {
		value, known := current[name]
		if !known {
			return fmt.Errorf("settings: %s is not a setting of this server (ClickHouse %s)", name, serverVersion)
		}
		if !binaryOnly {
			continue
		}
		if _, isText := settings[name].(string); isText {
			return fmt.Errorf("settings: %s: ClickHouse %s takes settings over the native protocol only as whole numbers; give a number or set it in the server's profile", name, serverVersion)
		}
		if _, err := strconv.ParseUint(value, 10, 64); err != nil {
			return fmt.Errorf("settings: %s holds %q, not a whole number, and ClickHouse %s takes only whole-number settings over the native protocol; set it in the server's profile", name, value, serverVersion)
		}
	}
	return nil
}

// sortedNames lists a map's keys in order, so errors are reproducible.
func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
