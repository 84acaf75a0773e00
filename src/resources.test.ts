import { errorMessage, resourcePath, toChoices } from './resources';
import { Variable } from './types';

describe('resourcePath', () => {
  it('lists experiments at the top and the rest under one experiment', () => {
    expect(resourcePath(Variable.Experiments)).toBe('experiments');
    expect(resourcePath(Variable.Metrics, 'checkout-v2')).toBe('experiments/checkout-v2/metrics');
    expect(resourcePath(Variable.Stages, 'checkout-v2')).toBe('experiments/checkout-v2/stages');
  });

  it('escapes the experiment id, which is user text, so it cannot change the path', () => {
    expect(resourcePath(Variable.Arms, '../status')).toBe('experiments/..%2Fstatus/arms');
    expect(resourcePath(Variable.Arms, 'a b?c#d')).toBe('experiments/a%20b%3Fc%23d/arms');
  });

  it('refuses to list an experiment’s values without an experiment', () => {
    expect(() => resourcePath(Variable.Segments)).toThrow('listing segments needs an experiment');
  });
});

describe('toChoices', () => {
  it('reads the backend’s [{label, value}] lists, dropping a label that only repeats the value', () => {
    expect(
      toChoices([
        { label: 'checkout-v2 (New checkout)', value: 'checkout-v2' },
        { label: 'country', value: 'country' },
      ])
    ).toEqual([{ value: 'checkout-v2', label: 'checkout-v2 (New checkout)' }, { value: 'country' }]);
  });

  it('accepts bare strings and skips entries without a value', () => {
    expect(toChoices(['a', '', { label: 'no value' }, null, 7, { value: 'b' }])).toEqual([
      { value: 'a' },
      { value: 'b' },
    ]);
  });

  it('an empty list is no choices, not an error', () => {
    expect(toChoices([])).toEqual([]);
  });

  it('refuses a body that is not a list', () => {
    for (const body of [{ experiments: [] }, 'experiments', null, undefined]) {
      expect(() => toChoices(body)).toThrow('expected a list of choices');
    }
  });
});

describe('errorMessage', () => {
  it('prefers the backend’s own words, in Grafana’s or the plugin’s error body', () => {
    expect(errorMessage({ status: 502, data: { error: 'exporter unreachable' } })).toBe('exporter unreachable');
    expect(errorMessage({ status: 500, data: { message: 'plugin unavailable' } })).toBe('plugin unavailable');
  });

  it('falls back to the error’s message, then the HTTP status', () => {
    expect(errorMessage(new Error('network down'))).toBe('network down');
    expect(errorMessage({ status: 504, statusText: 'Gateway Timeout', data: {} })).toBe(
      'request failed: 504 Gateway Timeout'
    );
    expect(errorMessage({ status: 504 })).toBe('request failed with status 504');
    expect(errorMessage(undefined)).toBe('request failed');
    expect(errorMessage('plain text')).toBe('plain text');
  });
});
