import { ExploratoryMetric, ExploratoryQuery, EventValue, LiftgateQuery } from './types';

type Replace = (text: string) => string;

/**
 * Resolves dashboard variables in every user-typed text of a query: the
 * experiment, metric, arm, segment, durations, the PromQL expression and the
 * exploratory definition. Choice fields with fixed vocabularies (queryType,
 * numericValue, scale, series, variable, annotationKinds) are left alone.
 */
export function interpolateQuery(query: LiftgateQuery, replace: Replace): LiftgateQuery {
  const r = (text: string | undefined) => (text === undefined ? undefined : replace(text));
  const next: LiftgateQuery = { ...query };
  for (const key of ['experiment', 'metric', 'arm', 'segment', 'bucket', 'expr', 'armLabel', 'maxLag'] as const) {
    if (query[key] !== undefined) {
      next[key] = r(query[key]);
    }
  }
  if (query.exploratory) {
    next.exploratory = interpolateExploratory(query.exploratory, replace);
  }
  return next;
}

function interpolateExploratory(x: ExploratoryQuery, replace: Replace): ExploratoryQuery {
  return {
    ...x,
    exposureEvent: replace(x.exposureEvent),
    experimentProperty: replace(x.experimentProperty),
    armProperty: replace(x.armProperty),
    ...(x.unit !== undefined ? { unit: replace(x.unit) } : {}),
    control: replace(x.control),
    arms: x.arms.map(replace),
    metric: interpolateMetric(x.metric, replace),
  };
}

function interpolateMetric(m: ExploratoryMetric, replace: Replace): ExploratoryMetric {
  const ev = (v: EventValue | undefined) =>
    v === undefined
      ? undefined
      : { ...v, event: replace(v.event), ...(v.property !== undefined ? { property: replace(v.property) } : {}) };
  const next: ExploratoryMetric = { ...m };
  for (const key of ['name', 'event', 'property', 'window'] as const) {
    if (m[key] !== undefined) {
      next[key] = replace(m[key]);
    }
  }
  if (m.numerator) {
    next.numerator = ev(m.numerator);
  }
  if (m.denominator) {
    next.denominator = ev(m.denominator);
  }
  return next;
}
