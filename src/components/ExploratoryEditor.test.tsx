import { screen } from '@testing-library/react';

import { CHECKOUT_RESOURCES, dataSourceWith, useTemplateVariables } from '../__fixtures__/datasource';
import { choose, renderEditor } from '../__fixtures__/editor';
import { QueryType } from '../types';
import { QueryEditor } from './QueryEditor';

beforeEach(() => {
  useTemplateVariables({});
});

describe('exploratory comparison in the QueryEditor', () => {
  it('builds the exploratory model from the fields, and lists what is missing until it is complete', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery, onRunQuery } = renderEditor(QueryEditor, ds, { refId: 'A' });

    await choose(user, screen.getByLabelText('Query type'), 'Exploratory comparison');
    expect(lastQuery()).toEqual({ refId: 'A', queryType: QueryType.Exploratory });
    expect(screen.getByLabelText('Experiment id')).toBeInTheDocument();
    expect(screen.getByText('exploratory.exposureEvent: the event that marks exposure')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Experiment id'), 'pricing-test');
    await user.keyboard('{ArrowDown}{Enter}');
    await user.type(screen.getByLabelText('Exposure event'), 'experiment_viewed');
    await user.type(screen.getByLabelText('Experiment property'), 'experiment');
    await user.type(screen.getByLabelText('Arm property'), 'variant');
    await user.type(screen.getByLabelText('Arms'), 'control{Enter}treatment{Enter}');
    await choose(user, screen.getByLabelText('Control'), 'control');
    await user.type(screen.getByLabelText('Metric event'), 'purchase');
    await user.type(screen.getByLabelText('Window'), '7d');
    await user.tab();

    expect(lastQuery()).toEqual({
      refId: 'A',
      queryType: 'exploratory',
      experiment: 'pricing-test',
      exploratory: {
        exposureEvent: 'experiment_viewed',
        experimentProperty: 'experiment',
        armProperty: 'variant',
        control: 'control',
        arms: ['control', 'treatment'],
        metric: { kind: 'conversion', event: 'purchase', window: '7d' },
      },
    });
    expect(screen.queryByText('This query does not run until it has:')).not.toBeInTheDocument();
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('a ratio metric asks for numerator and denominator instead of one event', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery } = renderEditor(QueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.Exploratory,
      experiment: 'pricing-test',
      exploratory: {
        exposureEvent: 'experiment_viewed',
        experimentProperty: 'experiment',
        armProperty: 'variant',
        control: 'a',
        arms: ['a', 'b'],
        metric: { kind: 'conversion', event: 'purchase' },
      },
    });
    await user.click(screen.getByLabelText('Ratio'));
    expect(lastQuery()?.exploratory?.metric).toEqual({ kind: 'ratio' });
    expect(screen.queryByLabelText('Metric event')).not.toBeInTheDocument();
    expect(screen.getByText('exploratory.metric.numerator.event: the numerator event')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Numerator event'), 'purchase');
    await user.type(screen.getAllByLabelText('Summed property')[0], 'revenue');
    await user.type(screen.getByLabelText('Denominator event'), 'session_start');
    expect(lastQuery()?.exploratory?.metric).toEqual({
      kind: 'ratio',
      numerator: { event: 'purchase', property: 'revenue' },
      denominator: { event: 'session_start' },
    });
  });

  it('removing the control from the arms clears the control', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery } = renderEditor(QueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.Exploratory,
      experiment: 'pricing-test',
      exploratory: {
        exposureEvent: 'e',
        experimentProperty: 'x',
        armProperty: 'v',
        control: 'a',
        arms: ['a', 'b'],
        metric: { kind: 'count', event: 'click' },
      },
    });
    await user.click(screen.getByRole('button', { name: 'Remove tag: a' }));
    expect(lastQuery()?.exploratory).toMatchObject({ arms: ['b'], control: '' });
    expect(screen.getByText('exploratory.arms: at least two arms')).toBeInTheDocument();
    expect(screen.getByText('exploratory.control: the baseline arm')).toBeInTheDocument();
  });
});
