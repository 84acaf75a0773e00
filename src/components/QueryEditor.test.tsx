import { screen, waitFor, within } from '@testing-library/react';

import { CHECKOUT_RESOURCES, dataSourceWith, fetchError, useTemplateVariables } from '../__fixtures__/datasource';
import { choose, openOptions, renderEditor } from '../__fixtures__/editor';
import { NumericValue, QueryType, Series } from '../types';
import { QueryEditor } from './QueryEditor';

jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  CodeEditor: jest.requireActual('../__fixtures__/codeEditor').FakeCodeEditor,
}));

beforeEach(() => {
  useTemplateVariables({ experiment: 'checkout-v2' });
});

const experimentInput = () => screen.getByLabelText('Experiment');

describe('QueryEditor', () => {
  it('renders a comparison query with the fields it reads and no others', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    renderEditor(QueryEditor, ds, { refId: 'A', queryType: QueryType.Comparison });

    expect(screen.getByLabelText('Query type')).toHaveValue('Comparison table');
    for (const label of ['Experiment', 'Metric', 'Arm', 'Segment', 'Alert value']) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    for (const label of ['Bucket', 'Arm label', 'Max lag']) {
      expect(screen.queryByLabelText(label)).not.toBeInTheDocument();
    }
    expect(screen.queryByLabelText(/code editor/)).not.toBeInTheDocument();
    // Nothing is chosen yet, so the editor says what the query lacks.
    expect(screen.getByText('experiment: pick an experiment')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('spinner')).not.toBeInTheDocument());
  });

  it('shows the experiment list as loading while the backend has not answered', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES, ['experiments']);
    renderEditor(QueryEditor, ds, { refId: 'A', queryType: QueryType.Comparison });
    // Combobox swaps its chevron for a spinner while loading.
    expect(screen.getByTestId('spinner')).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.getByTestId('spinner')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('loads experiments from the backend and offers dashboard variables too', async () => {
    const { ds, getResource } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user } = renderEditor(QueryEditor, ds, { refId: 'A', queryType: QueryType.Comparison });

    await waitFor(() => expect(getResource).toHaveBeenCalledWith('experiments', undefined, { showErrorAlert: false }));
    const options = await openOptions(user, experimentInput());
    expect(options).toEqual(['checkout-v2 (New checkout)', 'search-ranking', '$experimentDashboard variable']);
    // Metrics, arms and segments wait for an experiment.
    expect(getResource).toHaveBeenCalledTimes(1);
  });

  it('choosing an experiment sets it, reruns the query and loads that plan’s metrics, arms and segments', async () => {
    const { ds, getResource } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery, onRunQuery } = renderEditor(QueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.Comparison,
    });

    await choose(user, experimentInput(), 'checkout-v2');
    expect(lastQuery()).toEqual({ refId: 'A', queryType: 'comparison', experiment: 'checkout-v2' });
    expect(onRunQuery).toHaveBeenCalled();

    await waitFor(() =>
      expect(getResource.mock.calls.map((c) => c[0]).sort()).toEqual([
        'experiments',
        'experiments/checkout-v2/arms',
        'experiments/checkout-v2/metrics',
        'experiments/checkout-v2/segments',
      ])
    );
    expect(await openOptions(user, screen.getByLabelText('Metric'))).toEqual([
      'purchase (primary, conversion)',
      'revenue (secondary, mean)',
      '$experimentDashboard variable',
    ]);
    await choose(user, screen.getByLabelText('Arm'), 'treatment');
    await choose(user, screen.getByLabelText('Alert value'), 'Verdict code');
    expect(lastQuery()).toEqual({
      refId: 'A',
      queryType: 'comparison',
      experiment: 'checkout-v2',
      arm: 'treatment',
      numericValue: NumericValue.Verdict,
    });
  });

  it('changing the experiment clears the metric, arm and segment of the old one', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery } = renderEditor(QueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.LiftOverTime,
      experiment: 'checkout-v2',
      metric: 'purchase',
      arm: 'treatment',
      segment: 'country',
      bucket: '1h',
    });
    await choose(user, experimentInput(), 'search-ranking');
    expect(lastQuery()).toEqual({
      refId: 'A',
      queryType: 'lift_over_time',
      experiment: 'search-ranking',
      bucket: '1h',
    });
  });

  it('switching the query type keeps only the fields the new type reads', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery } = renderEditor(QueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.Comparison,
      experiment: 'checkout-v2',
      metric: 'purchase',
      segment: 'country',
      numericValue: NumericValue.PValue,
    });
    await choose(user, screen.getByLabelText('Query type'), 'Telemetry vs behaviour');
    expect(lastQuery()).toEqual({
      refId: 'A',
      queryType: 'telemetry_behaviour',
      experiment: 'checkout-v2',
      metric: 'purchase',
    });
    expect(screen.getByLabelText('code editor (liftgate-promql)')).toBeInTheDocument();
    expect(screen.getByLabelText('Max lag')).toBeInTheDocument();
    expect(screen.getByText('expr: a PromQL expression')).toBeInTheDocument();
  });

  it('the PromQL expression is set when the editor loses focus', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery, onRunQuery } = renderEditor(QueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.TelemetryByArm,
      experiment: 'checkout-v2',
    });
    expect(screen.getByText('expr: a PromQL expression, or a Prometheus metric of the plan')).toBeInTheDocument();
    const expr = 'sum(rate(http_requests_total{code=~"5.."}[5m]))';
    await user.click(screen.getByLabelText('code editor (liftgate-promql)'));
    // userEvent.type treats "[" as a key descriptor; paste the text instead.
    await user.paste(expr);
    expect(onRunQuery).not.toHaveBeenCalled();
    await user.tab();
    expect(lastQuery()).toEqual({ refId: 'A', queryType: 'telemetry_by_arm', experiment: 'checkout-v2', expr });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByText('This query does not run until it has:')).not.toBeInTheDocument();
  });

  it('telemetry by arm runs on one of the plan’s Prometheus metrics instead of an expression', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery } = renderEditor(QueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.TelemetryByArm,
      experiment: 'checkout-v2',
    });
    await choose(user, screen.getByLabelText('Metric'), 'revenue');
    expect(lastQuery()).toEqual({
      refId: 'A',
      queryType: 'telemetry_by_arm',
      experiment: 'checkout-v2',
      metric: 'revenue',
    });
    expect(screen.queryByText('This query does not run until it has:')).not.toBeInTheDocument();
  });

  it('a bucket that is not a duration is flagged and does not rerun the query', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery, onRunQuery } = renderEditor(QueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.ArmSeries,
      experiment: 'checkout-v2',
      metric: 'purchase',
    });
    const bucket = screen.getByLabelText('Bucket');
    await user.type(bucket, '1 hour');
    await user.tab();
    expect(screen.getByText('"1 hour" is not a duration: expected e.g. 30s, 15m, 1h or 7d')).toBeInTheDocument();
    expect(onRunQuery).not.toHaveBeenCalled();

    await user.clear(bucket);
    await user.type(bucket, '1h');
    await user.tab();
    expect(lastQuery()).toEqual({
      refId: 'A',
      queryType: 'arm_series',
      experiment: 'checkout-v2',
      metric: 'purchase',
      bucket: '1h',
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('arm series of units exposed needs no metric', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery } = renderEditor(QueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.ArmSeries,
      experiment: 'checkout-v2',
    });
    expect(screen.getByText('metric: pick the metric to plot')).toBeInTheDocument();
    await user.click(screen.getByLabelText('Units exposed'));
    expect(lastQuery()).toEqual({
      refId: 'A',
      queryType: 'arm_series',
      experiment: 'checkout-v2',
      series: Series.Units,
    });
    expect(screen.queryByLabelText('Metric')).not.toBeInTheDocument();
    expect(screen.queryByText('metric: pick the metric to plot')).not.toBeInTheDocument();
  });

  it('shows the backend’s error where the experiments list is used', async () => {
    const { ds } = dataSourceWith({
      experiments: {
        reject: fetchError(502, { error: 'liftgate exporter at http://exporter:9464: connection refused' }),
      },
    });
    renderEditor(QueryEditor, ds, { refId: 'A', queryType: QueryType.Comparison });
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Could not load experiments')).toBeInTheDocument();
    expect(
      within(alert).getByText('liftgate exporter at http://exporter:9464: connection refused')
    ).toBeInTheDocument();
  });

  it('shows the backend’s error for an experiment whose plan fails, next to its metrics', async () => {
    const { ds } = dataSourceWith({
      ...CHECKOUT_RESOURCES,
      'experiments/checkout-v2/metrics': {
        reject: fetchError(404, { error: 'experiment "checkout-v2": no such plan' }),
      },
    });
    renderEditor(QueryEditor, ds, { refId: 'A', queryType: QueryType.Comparison, experiment: 'checkout-v2' });
    expect(await screen.findByText('Could not load metrics')).toBeInTheDocument();
    expect(screen.getByText('experiment "checkout-v2": no such plan')).toBeInTheDocument();
    expect(screen.queryByText('Could not load arms')).not.toBeInTheDocument();
  });

  it('a templated experiment loads the lists of the experiment it resolves to', async () => {
    const { ds, getResource } = dataSourceWith(CHECKOUT_RESOURCES);
    renderEditor(QueryEditor, ds, { refId: 'A', queryType: QueryType.Comparison, experiment: '$experiment' });
    await waitFor(() =>
      expect(getResource).toHaveBeenCalledWith('experiments/checkout-v2/metrics', undefined, { showErrorAlert: false })
    );
    expect(experimentInput()).toHaveValue('$experiment');
  });
});
