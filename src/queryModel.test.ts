import {
  fieldsOf,
  isDurationOrEmpty,
  missingFields,
  PANEL_QUERY_TYPES,
  patchQuery,
  queryTypeOf,
  withQueryType,
} from './queryModel';
import { LiftgateQuery, MetricKind, NumericValue, QueryType, Series, Variable } from './types';

const exploratory = {
  exposureEvent: 'experiment_viewed',
  experimentProperty: 'experiment',
  armProperty: 'variant',
  control: 'a',
  arms: ['a', 'b'],
  metric: { kind: MetricKind.Conversion, event: 'purchase' },
};

describe('missingFields', () => {
  it('a comparison needs only an experiment', () => {
    expect(missingFields({ queryType: QueryType.Comparison })).toEqual(['experiment: pick an experiment']);
    expect(missingFields({ queryType: QueryType.Comparison, experiment: 'x' })).toEqual([]);
  });

  it('a query without a type is a comparison', () => {
    expect(queryTypeOf({})).toBe(QueryType.Comparison);
    expect(queryTypeOf({ queryType: 'nonsense' as QueryType })).toBe(QueryType.Comparison);
    expect(missingFields({ experiment: 'x' })).toEqual([]);
  });

  it('arm series needs a metric unless it plots units', () => {
    expect(missingFields({ queryType: QueryType.ArmSeries, experiment: 'x' })).toEqual([
      'metric: pick the metric to plot',
    ]);
    expect(missingFields({ queryType: QueryType.ArmSeries, experiment: 'x', series: Series.Units })).toEqual([]);
  });

  it('telemetry by arm needs a non-blank PromQL expression or one of the plan’s Prometheus metrics', () => {
    expect(missingFields({ queryType: QueryType.TelemetryByArm, experiment: 'x', expr: '  ' })).toEqual([
      'expr: a PromQL expression, or a Prometheus metric of the plan',
    ]);
    expect(missingFields({ queryType: QueryType.TelemetryByArm, experiment: 'x', metric: 'p99' })).toEqual([]);
    expect(missingFields({ queryType: QueryType.TelemetryByArm, experiment: 'x', expr: 'up' })).toEqual([]);
  });

  it('telemetry vs behaviour needs both an expression and a product metric', () => {
    expect(missingFields({ queryType: QueryType.TelemetryBehaviour, experiment: 'x', metric: 'm' })).toEqual([
      'expr: a PromQL expression',
    ]);
    expect(missingFields({ queryType: QueryType.TelemetryBehaviour, experiment: 'x', expr: 'up' })).toEqual([
      'metric: pick the metric to plot',
    ]);
  });

  it('variables need an experiment except when listing experiments', () => {
    expect(missingFields({ queryType: QueryType.Variables })).toEqual([]);
    expect(missingFields({ queryType: QueryType.Variables, variable: Variable.Arms })).toEqual([
      'experiment: pick an experiment',
    ]);
  });

  it('an exploratory query needs its whole definition, with the control among at least two arms', () => {
    expect(missingFields({ queryType: QueryType.Exploratory, experiment: 'x', exploratory })).toEqual([]);
    expect(missingFields({ queryType: QueryType.Exploratory, experiment: 'x' })).toEqual([
      'exploratory.exposureEvent: the event that marks exposure',
      'exploratory.experimentProperty: the property holding the experiment id',
      'exploratory.armProperty: the property holding the arm',
      'exploratory.arms: at least two arms',
      'exploratory.control: the baseline arm',
      'exploratory.metric.kind: conversion, count, mean or ratio',
    ]);
    expect(
      missingFields({
        queryType: QueryType.Exploratory,
        experiment: 'x',
        exploratory: { ...exploratory, control: 'c' },
      })
    ).toEqual(['exploratory.control: "c" is not one of the arms']);
  });

  it('an exploratory mean needs a property, a ratio both of its events', () => {
    const mean = { ...exploratory, metric: { kind: MetricKind.Mean, event: 'purchase' } };
    expect(missingFields({ queryType: QueryType.Exploratory, experiment: 'x', exploratory: mean })).toEqual([
      'exploratory.metric.property: the property to average',
    ]);
    const ratio = { ...exploratory, metric: { kind: MetricKind.Ratio, numerator: { event: 'click' } } };
    expect(missingFields({ queryType: QueryType.Exploratory, experiment: 'x', exploratory: ratio })).toEqual([
      'exploratory.metric.denominator.event: the denominator event',
    ]);
  });
});

describe('withQueryType', () => {
  it('keeps Grafana’s fields and the fields the new type reads, drops the rest', () => {
    const q: LiftgateQuery = {
      refId: 'A',
      hide: false,
      datasource: { type: 'liftgate-rollout-datasource', uid: 'u' },
      queryType: QueryType.Comparison,
      experiment: 'x',
      metric: 'm',
      segment: 's',
      numericValue: NumericValue.Effect,
    };
    expect(withQueryType(q, QueryType.TelemetryByArm)).toEqual({
      refId: 'A',
      hide: false,
      datasource: { type: 'liftgate-rollout-datasource', uid: 'u' },
      queryType: QueryType.TelemetryByArm,
      experiment: 'x',
      metric: 'm',
    });
    expect(withQueryType(q, QueryType.Annotations)).toEqual({
      refId: 'A',
      hide: false,
      datasource: { type: 'liftgate-rollout-datasource', uid: 'u' },
      queryType: QueryType.Annotations,
      experiment: 'x',
    });
  });

  it('every panel query type reads the experiment', () => {
    for (const t of PANEL_QUERY_TYPES) {
      expect(fieldsOf(t.value)).toContain('experiment');
    }
  });
});

describe('patchQuery', () => {
  it('sets fields and removes the ones set to undefined', () => {
    expect(
      patchQuery({ refId: 'A', metric: 'm', arm: 'b' } as LiftgateQuery, { metric: undefined, segment: 's' })
    ).toEqual({
      refId: 'A',
      arm: 'b',
      segment: 's',
    });
  });
});

describe('isDurationOrEmpty', () => {
  it('accepts Go/Prometheus durations and dashboard variables', () => {
    for (const ok of [
      '',
      undefined,
      '30s',
      '15m',
      '1h',
      '1h30m',
      '7d',
      '1d12h',
      '2w',
      '1y',
      '500ms',
      '1.5h',
      '.5h',
      '30m1h',
      '$bucket',
      '${bucket}',
      '[[bucket]]',
    ]) {
      expect(isDurationOrEmpty(ok)).toBe(true);
    }
  });

  it('refuses what is not a duration', () => {
    // '1.5d': Prometheus durations take no fractions, Go's have no days;
    // '12h1d': Prometheus wants units largest first, Go has no days.
    for (const bad of ['1 hour', '15', 'm', '1hh', ' 1h', '-5m', '$', 'auto', '1.5d', '12h1d', '1D']) {
      expect(isDurationOrEmpty(bad)).toBe(false);
    }
  });
});
