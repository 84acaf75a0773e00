package clickhouse

import (
	"strings"
)

// propertyReader builds the SQL that reads one top-level property of an
// event row. All three variants produce the same three views of a value:
//
//   - text: a JSON string decoded, any other JSON value as its JSON text
//     ("" when absent or null);
//   - present: the property exists and is not null;
//   - number: a finite JSON number as Float64, else 0 (strings, booleans,
//     null, objects and absent values add nothing to a sum).
//
// These match the DuckDB and PostgreSQL stores, so the same events give the
// same sufficient statistics everywhere.
type propertyReader struct {
	column string // SQL reading the properties column as String (json) or the Map column
	kind   propertyKind
}

type propertyKind int

const (
	// visitParam is 18.16's only JSON support: visitParamExtractRaw finds
	// `"key":` anywhere in the text, nested objects included, and misses
	// keys written with escapes or with a space before the colon.
	visitParam propertyKind = iota
	// jsonExtract uses JSONExtractRaw (19.x and later): top-level keys only,
	// any spacing, escaped keys.
	jsonExtract
	// mapColumn reads a Map(String, String) column (21.x and later); values
	// are text, so "number" parses the text.
	mapColumn
)

// jsonSpace matches leading and trailing JSON whitespace, which
// visitParamExtractRaw leaves on the value.
const jsonSpace = `'^[ \\t\\n\\r]+|[ \\t\\n\\r]+$'`

// raw is the property's JSON text, empty when absent.
func (r propertyReader) raw(p *params, key string) string {
	k := p.text(key)
	if r.kind == jsonExtract {
		return "JSONExtractRaw(" + r.column + ", " + k + ")"
	}
	return "replaceRegexpAll(visitParamExtractRaw(" + r.column + ", " + k + "), " + jsonSpace + ", '')"
}

// text is the property as a String, empty when absent or null.
func (r propertyReader) text(p *params, key string) string {
	if r.kind == mapColumn {
		return r.column + "[" + p.text(key) + "]"
	}
	raw := r.raw(p, key)
	// A JSON string literal is decoded by letting visitParamExtractString
	// read it from a one-key object. The braces are bound values: a literal
	// "{...:...}" in the SQL text would make clickhouse-go take the query
	// for one with server-side parameters.
	decoded := "visitParamExtractString(concat(" + p.text(`{"v":`) + ", " + raw + ", " + p.text("}") + "), 'v')"
	return "multiIf(substring(" + raw + ", 1, 1) = '\"', " + decoded + ", " + raw + " = 'null', '', " + raw + ")"
}

// present is 1 when the property exists and is not null.
func (r propertyReader) present(p *params, key string) string {
	if r.kind == mapColumn {
		return "(" + r.text(p, key) + " != '')"
	}
	return "(" + r.raw(p, key) + " NOT IN ('', 'null'))"
}

// number is the property as a finite Float64, 0 unless it is a JSON number.
func (r propertyReader) number(p *params, key string) string {
	var v, isNumber string
	if r.kind == mapColumn {
		v = "toFloat64OrZero(" + r.text(p, key) + ")"
		isNumber = "1"
	} else {
		raw := r.raw(p, key)
		v = "toFloat64OrZero(" + raw + ")"
		isNumber = "match(" + raw + ", '^-?[0-9]')"
	}
	return "if(" + isNumber + " AND isFinite(" + v + "), " + v + ", 0)"
}

// propertyReaderFor picks the variant for the mapping and server.
func (s *Source) propertyReaderFor(op, column, typ string) (propertyReader, error) {
	if s.mapping.Properties == "map" {
		if !strings.HasPrefix(typ, "Map(String,") && !strings.HasPrefix(typ, "Map(String, ") {
			return propertyReader{}, errorf(op, "mapping.properties is map, but column %s has type %s (a Map(String, String) column needs ClickHouse 21.1 or later; use properties: json for a String column)", quoteIdent(column), typ)
		}
		return propertyReader{column: quoteIdent(column), kind: mapColumn}, nil
	}
	if base := baseType(typ); base != "String" && !strings.HasPrefix(base, "FixedString(") {
		return propertyReader{}, errorf(op, "mapping.columns.properties: column %s has type %s; properties: json needs a String column holding a JSON object", quoteIdent(column), typ)
	}
	kind := visitParam
	if s.server.jsonExtract {
		kind = jsonExtract
	}
	return propertyReader{column: textExpr(column, typ), kind: kind}, nil
}
