/**
 * The frontend's types mirror the Go query model and settings
 * (pkg/models/query.go, pkg/models/settings.go) by hand. This test reads both
 * sides' source and fails when a JSON field name or a constant's value exists
 * on one side only, so they cannot drift apart silently.
 */
import fs from 'fs';
import path from 'path';

import { AnnotationKind, EventStore, NumericValue, PrometheusAuth, QueryType, Scale, Series, Variable } from './types';

const root = path.resolve(__dirname, '..');
const goSource = ['query.go', 'settings.go']
  .map((f) => fs.readFileSync(path.join(root, 'pkg/models', f), 'utf8'))
  .join('\n');
const tsSource = fs.readFileSync(path.join(__dirname, 'types.ts'), 'utf8');

/** JSON field names per Go struct. */
function goStructs(src: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of src.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const tags = [...m[2].matchAll(/json:"([^",]*)/g)].map((t) => t[1]).filter((t) => t !== '' && t !== '-');
    out.set(m[1], tags.sort());
  }
  return out;
}

/** Property names per TypeScript interface. */
function tsInterfaces(src: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of src.matchAll(/^export interface (\w+)[^{]*\{\n([\s\S]*?)^\}/gm)) {
    const props = [...m[2].matchAll(/^ {2}(\w+)\??:/gm)].map((p) => p[1]);
    out.set(m[1], props.sort());
  }
  return out;
}

/** Values of the Go string constants whose names start with `prefix` followed by an upper-case letter. */
function goConstants(prefix: string): string[] {
  const re = new RegExp(`^\\s*${prefix}[A-Z]\\w*\\s*=\\s*"([^"]*)"`, 'gm');
  return [...goSource.matchAll(re)].map((m) => m[1]).sort();
}

const go = goStructs(goSource);
const ts = tsInterfaces(tsSource);

describe('types.ts mirrors pkg/models', () => {
  it.each([
    ['Query', 'LiftgateQuery'],
    ['ExploratoryQuery', 'ExploratoryQuery'],
    ['ExploratoryMetric', 'ExploratoryMetric'],
    ['EventValue', 'EventValue'],
    ['Settings', 'LiftgateSettings'],
    ['ClickHouseSettings', 'ClickHouseSettings'],
    ['PostgresSettings', 'PostgresSettings'],
    ['MappingSettings', 'MappingSettings'],
  ])('Go %s and TypeScript %s have the same JSON fields', (goName, tsName) => {
    expect(go.get(goName)).toBeDefined();
    expect(ts.get(tsName)).toBeDefined();
    // queryType is Grafana's own DataQuery field, outside models.Query.
    const tsFields = (ts.get(tsName) ?? []).filter((f) => !(tsName === 'LiftgateQuery' && f === 'queryType'));
    expect(tsFields).toEqual(go.get(goName));
  });

  it('every Go struct with JSON fields is mirrored', () => {
    const mirrored = [
      'Query',
      'ExploratoryQuery',
      'ExploratoryMetric',
      'EventValue',
      'Settings',
      'ClickHouseSettings',
      'PostgresSettings',
      'MappingSettings',
    ];
    expect([...go.keys()].filter((name) => (go.get(name) ?? []).length > 0).sort()).toEqual(mirrored.sort());
  });

  it.each([
    ['QueryType', QueryType],
    ['NumericValue', NumericValue],
    ['Scale', Scale],
    ['Series', Series],
    ['Variable', Variable],
    ['Annotation', AnnotationKind],
    ['EventStore', EventStore],
    ['PrometheusAuth', PrometheusAuth],
  ])('Go %s* constants and the TypeScript enum have the same values', (prefix, tsEnum) => {
    const goValues = goConstants(prefix);
    expect(goValues.length).toBeGreaterThan(0);
    expect(Object.values(tsEnum).sort()).toEqual(goValues);
  });

  it('the secureJsonData keys are the Go Secure* keys', () => {
    expect(ts.get('LiftgateSecureJsonData')).toEqual(goConstants('Secure'));
  });
});
