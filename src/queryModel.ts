/**
 * Which fields of the query model each query type reads and which it cannot
 * run without, following the field documentation in pkg/models/query.go.
 * The editors show exactly these fields, and the data source does not send
 * a query that lacks a required one (the panel then shows what is missing
 * instead of a backend error).
 */
import { LiftgateQuery, QueryType, Series, Variable } from './types';

/** A top-level field of the query model that an editor can set. */
export type QueryField =
  | 'experiment'
  | 'metric'
  | 'arm'
  | 'segment'
  | 'bucket'
  | 'numericValue'
  | 'scale'
  | 'series'
  | 'expr'
  | 'armLabel'
  | 'maxLag'
  | 'variable'
  | 'annotationKinds'
  | 'exploratory';

export interface QueryTypeInfo {
  value: QueryType;
  label: string;
  description: string;
  fields: QueryField[];
}

/** The query types a panel's query editor offers, in the backend's order. */
export const PANEL_QUERY_TYPES: QueryTypeInfo[] = [
  {
    value: QueryType.Comparison,
    label: 'Comparison table',
    description:
      'Per metric and arm: estimates, effects with intervals, p-values, verdicts, SRM and the stage decision',
    fields: ['experiment', 'metric', 'arm', 'segment', 'numericValue'],
  },
  {
    value: QueryType.LiftOverTime,
    label: 'Lift over time',
    description: 'The cumulative effect with its always-valid band at each time step',
    fields: ['experiment', 'metric', 'arm', 'segment', 'bucket', 'scale'],
  },
  {
    value: QueryType.ArmSeries,
    label: 'Arm series',
    description: 'A product metric, or the units exposed, per arm per time bucket',
    fields: ['experiment', 'series', 'metric', 'arm', 'segment', 'bucket'],
  },
  {
    value: QueryType.TelemetryByArm,
    label: 'Telemetry by arm',
    description: 'A PromQL expression (or a Prometheus metric of the plan) split by arm, aligned to the same buckets',
    fields: ['experiment', 'metric', 'expr', 'armLabel', 'arm', 'bucket'],
  },
  {
    value: QueryType.TelemetryBehaviour,
    label: 'Telemetry vs behaviour',
    description: 'A PromQL expression joined with a product metric: correlation, best lag and scatter data',
    fields: ['experiment', 'metric', 'expr', 'armLabel', 'maxLag', 'arm', 'bucket'],
  },
  {
    value: QueryType.Exploratory,
    label: 'Exploratory comparison',
    description: 'Compare arms without a plan; the result is marked exploratory',
    fields: ['experiment', 'exploratory', 'numericValue'],
  },
  {
    value: QueryType.Health,
    label: 'Data health',
    description: 'Per data-health check: counts, rate, thresholds and status (ok, warn, block) at the end of the time range',
    fields: ['experiment'],
  },
];

const FIELDS_BY_TYPE: Record<QueryType, QueryField[]> = {
  ...(Object.fromEntries(PANEL_QUERY_TYPES.map((t) => [t.value, t.fields])) as Record<QueryType, QueryField[]>),
  [QueryType.Annotations]: ['experiment', 'annotationKinds', 'bucket'],
  [QueryType.Variables]: ['variable', 'experiment'],
};

/** The fields a query type reads. */
export function fieldsOf(queryType: QueryType): QueryField[] {
  return FIELDS_BY_TYPE[queryType] ?? [];
}

/** The query type of a stored query; queries saved before types existed are comparisons. */
export function queryTypeOf(query: Partial<LiftgateQuery>): QueryType {
  const t = query.queryType;
  return t && t in FIELDS_BY_TYPE ? t : QueryType.Comparison;
}

/**
 * Switches a query to another type, keeping only the fields the new type
 * reads so a saved query never carries settings that silently do nothing.
 */
export function withQueryType(query: LiftgateQuery, queryType: QueryType): LiftgateQuery {
  const keep = new Set<string>(fieldsOf(queryType));
  const next: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!MODEL_FIELDS.has(key) || keep.has(key)) {
      next[key] = value;
    }
  }
  return { ...(next as unknown as LiftgateQuery), queryType };
}

// Fields of the query model proper; Grafana's own (refId, datasource, hide,
// ...) are never dropped.
const MODEL_FIELDS = new Set<string>([
  'experiment',
  'metric',
  'arm',
  'segment',
  'bucket',
  'numericValue',
  'scale',
  'series',
  'expr',
  'armLabel',
  'maxLag',
  'variable',
  'annotationKinds',
  'exploratory',
]);

/**
 * What a query still lacks before it can run, as "field: what is expected"
 * sentences in the order the editor shows the fields. Empty means runnable.
 */
export function missingFields(query: Partial<LiftgateQuery>): string[] {
  const t = queryTypeOf(query);
  const missing: string[] = [];
  const needExperiment = !(
    t === QueryType.Variables && (query.variable ?? Variable.Experiments) === Variable.Experiments
  );
  if (needExperiment && !query.experiment) {
    missing.push(
      t === QueryType.Exploratory
        ? 'experiment: the experiment id on exposure events'
        : 'experiment: pick an experiment'
    );
  }
  const needMetric =
    t === QueryType.TelemetryBehaviour ||
    (t === QueryType.ArmSeries && (query.series ?? Series.Metric) === Series.Metric);
  if (needMetric && !query.metric) {
    missing.push('metric: pick the metric to plot');
  }
  // telemetry_by_arm charts the plan's Prometheus metric named by `metric`
  // when there is no expression.
  if (t === QueryType.TelemetryByArm && !query.expr?.trim() && !query.metric) {
    missing.push('expr: a PromQL expression, or a Prometheus metric of the plan');
  }
  if (t === QueryType.TelemetryBehaviour && !query.expr?.trim()) {
    missing.push('expr: a PromQL expression');
  }
  if (t === QueryType.Exploratory) {
    missing.push(...missingExploratory(query));
  }
  return missing;
}

function missingExploratory(query: Partial<LiftgateQuery>): string[] {
  const x = query.exploratory;
  const missing: string[] = [];
  if (!x?.exposureEvent) {
    missing.push('exploratory.exposureEvent: the event that marks exposure');
  }
  if (!x?.experimentProperty) {
    missing.push('exploratory.experimentProperty: the property holding the experiment id');
  }
  if (!x?.armProperty) {
    missing.push('exploratory.armProperty: the property holding the arm');
  }
  const arms = x?.arms ?? [];
  if (arms.length < 2) {
    missing.push('exploratory.arms: at least two arms');
  }
  if (!x?.control) {
    missing.push('exploratory.control: the baseline arm');
  } else if (arms.length > 0 && !arms.includes(x.control)) {
    missing.push(`exploratory.control: "${x.control}" is not one of the arms`);
  }
  const m = x?.metric;
  if (!m?.kind) {
    missing.push('exploratory.metric.kind: conversion, count, mean or ratio');
  } else if (m.kind === 'ratio') {
    if (!m.numerator?.event) {
      missing.push('exploratory.metric.numerator.event: the numerator event');
    }
    if (!m.denominator?.event) {
      missing.push('exploratory.metric.denominator.event: the denominator event');
    }
  } else {
    if (!m.event) {
      missing.push('exploratory.metric.event: the metric event');
    }
    if (m.kind === 'mean' && !m.property) {
      missing.push('exploratory.metric.property: the property to average');
    }
  }
  return missing;
}

// What the backend's plan.ParseDuration accepts, positive only: a Prometheus
// duration (units largest first, "1d12h", "90m", "2w") or a Go duration
// ("1.5h", "1h30m", "300ms"); or a dashboard variable.
const PROMETHEUS_DURATION = /^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
const GO_DURATION = /^((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const TEMPLATE_VARIABLE = /^(\$\w+|\$\{[^}]+\}|\[\[[^\]]+\]\])$/;

/** Whether a duration field's text is acceptable; empty means "not set". */
export function isDurationOrEmpty(text: string | undefined): boolean {
  const t = text ?? '';
  return t === '' || PROMETHEUS_DURATION.test(t) || GO_DURATION.test(t) || TEMPLATE_VARIABLE.test(t);
}

/**
 * Applies an editor's edit to a query. A field set to undefined is removed,
 * so a cleared field disappears from the saved model instead of lingering
 * as null.
 */
export function patchQuery<T extends object>(query: T, patch: Partial<T>): T {
  const next: Record<string, unknown> = { ...query, ...patch };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) {
      delete next[key];
    }
  }
  return next as T;
}
