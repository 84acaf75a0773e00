import { interpolateQuery } from './templating';
import { LiftgateQuery, MetricKind, NumericValue, QueryType } from './types';

const vars: Record<string, string> = {
  exp: 'checkout-v2',
  m: 'purchase',
  step: '1h',
  arm: 'treatment',
  label: 'variant',
};
const replace = (text: string) => text.replace(/\$(\w+)/g, (whole, name: string) => vars[name] ?? whole);

describe('interpolateQuery', () => {
  it('resolves variables in every user-typed field and leaves fixed vocabularies alone', () => {
    const q: LiftgateQuery = {
      refId: 'A',
      queryType: QueryType.TelemetryBehaviour,
      experiment: '$exp',
      metric: '$m',
      arm: '$arm',
      bucket: '$step',
      maxLag: '$step',
      armLabel: '$label',
      expr: 'sum(rate(errors_total{service="$exp"}[5m]))',
      numericValue: NumericValue.Effect,
    };
    expect(interpolateQuery(q, replace)).toEqual({
      refId: 'A',
      queryType: 'telemetry_behaviour',
      experiment: 'checkout-v2',
      metric: 'purchase',
      arm: 'treatment',
      bucket: '1h',
      maxLag: '1h',
      armLabel: 'variant',
      expr: 'sum(rate(errors_total{service="checkout-v2"}[5m]))',
      numericValue: 'effect',
    });
  });

  it('does not add fields the query did not have', () => {
    expect(interpolateQuery({ refId: 'A', experiment: '$exp' }, replace)).toEqual({
      refId: 'A',
      experiment: 'checkout-v2',
    });
  });

  it('resolves the exploratory definition, arms and ratio events included', () => {
    const q: LiftgateQuery = {
      refId: 'A',
      queryType: QueryType.Exploratory,
      experiment: '$exp',
      exploratory: {
        exposureEvent: 'viewed_$exp',
        experimentProperty: 'experiment',
        armProperty: '$label',
        control: 'control',
        arms: ['control', '$arm'],
        metric: {
          kind: MetricKind.Ratio,
          numerator: { event: '$m', property: 'value_$m' },
          denominator: { event: 'session' },
        },
      },
    };
    expect(interpolateQuery(q, replace).exploratory).toEqual({
      exposureEvent: 'viewed_checkout-v2',
      experimentProperty: 'experiment',
      armProperty: 'variant',
      control: 'control',
      arms: ['control', 'treatment'],
      metric: {
        kind: 'ratio',
        numerator: { event: 'purchase', property: 'value_purchase' },
        denominator: { event: 'session' },
      },
    });
  });

  it('does not change the query it was given', () => {
    const q: LiftgateQuery = { refId: 'A', experiment: '$exp' };
    interpolateQuery(q, replace);
    expect(q.experiment).toBe('$exp');
  });
});
