import { CoreApp, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { lastValueFrom, of } from 'rxjs';

import { CHECKOUT_RESOURCES, dataSourceWith, useTemplateVariables } from './__fixtures__/datasource';
import { LiftgateQuery, QueryType, Variable } from './types';

beforeEach(() => {
  useTemplateVariables({ experiment: 'checkout-v2', bucket: '1h' });
});

describe('DataSource', () => {
  it('new panel queries are comparisons', () => {
    const { ds } = dataSourceWith({});
    expect(ds.getDefaultQuery(CoreApp.PanelEditor)).toEqual({ queryType: QueryType.Comparison });
  });

  it('does not send hidden or incomplete queries', () => {
    const { ds } = dataSourceWith({});
    expect(ds.filterQuery({ refId: 'A', queryType: QueryType.Comparison, experiment: 'x' })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', queryType: QueryType.Comparison, experiment: 'x', hide: true })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: QueryType.Comparison })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: QueryType.TelemetryByArm, experiment: 'x' })).toBe(false);
  });

  it('resolves dashboard and scoped variables before the query reaches the backend', () => {
    const { ds } = dataSourceWith({});
    const q: LiftgateQuery = {
      refId: 'A',
      queryType: QueryType.LiftOverTime,
      experiment: '$experiment',
      bucket: '$bucket',
      arm: '$arm',
    };
    expect(ds.applyTemplateVariables(q, { arm: { text: 'treatment', value: 'treatment' } })).toEqual({
      refId: 'A',
      queryType: 'lift_over_time',
      experiment: 'checkout-v2',
      bucket: '1h',
      arm: 'treatment',
    });
  });

  it('a query saved without a type is sent as the comparison the editor shows', () => {
    const { ds } = dataSourceWith({});
    expect(ds.applyTemplateVariables({ refId: 'A', experiment: 'x' }, {})).toEqual({
      refId: 'A',
      queryType: 'comparison',
      experiment: 'x',
    });
  });

  it('lists choices from the backend resources, resolving a templated experiment', async () => {
    const { ds, getResource } = dataSourceWith(CHECKOUT_RESOURCES);
    expect(await ds.listChoices(Variable.Arms, '$experiment')).toEqual([
      { value: 'control', label: 'control (control)' },
      { value: 'treatment' },
    ]);
    expect(getResource).toHaveBeenCalledWith('experiments/checkout-v2/arms', undefined, { showErrorAlert: false });
  });

  it('passes on the backend’s error for a list', async () => {
    const { ds } = dataSourceWith({ experiments: { reject: { status: 502, data: { error: 'exporter down' } } } });
    await expect(ds.listChoices(Variable.Experiments)).rejects.toMatchObject({ data: { error: 'exporter down' } });
  });

  it('variable queries run as the backend’s variables query type', async () => {
    const { ds } = dataSourceWith({});
    const response: DataQueryResponse = { data: [] };
    const query = jest.spyOn(ds, 'query').mockReturnValue(of(response));
    const request = {
      targets: [
        { refId: 'A', variable: Variable.Arms, experiment: 'checkout-v2' },
        { refId: 'B', queryType: QueryType.Comparison },
      ],
    } as DataQueryRequest<LiftgateQuery>;

    const variables = ds.variables as unknown as {
      query: (r: DataQueryRequest<LiftgateQuery>) => ReturnType<typeof ds.query>;
    };
    expect(await lastValueFrom(variables.query(request))).toBe(response);
    expect(query.mock.calls[0][0].targets).toEqual([
      { refId: 'A', queryType: 'variables', variable: 'arms', experiment: 'checkout-v2' },
      { refId: 'B', queryType: 'variables', variable: 'experiments' },
    ]);
  });

  it('annotation queries are annotations whatever type their target was saved with', () => {
    const { ds } = dataSourceWith({});
    expect(ds.annotations?.getDefaultQuery?.()).toEqual({ queryType: QueryType.Annotations });
    const prepared = ds.annotations?.prepareQuery?.({
      name: 'rollout',
      enable: true,
      iconColor: 'red',
      target: { refId: 'Anno', queryType: QueryType.Comparison, experiment: 'checkout-v2' },
    });
    expect(prepared).toEqual({ refId: 'Anno', queryType: 'annotations', experiment: 'checkout-v2' });
    expect(ds.annotations?.prepareQuery?.({ name: 'empty', enable: true, iconColor: 'red' })).toBeUndefined();
  });
});
