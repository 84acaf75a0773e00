import { screen, waitFor, within } from '@testing-library/react';

import { CHECKOUT_RESOURCES, dataSourceWith, fetchError, useTemplateVariables } from '../__fixtures__/datasource';
import { choose, openOptions, renderEditor } from '../__fixtures__/editor';
import { QueryType, Variable } from '../types';
import { VariableQueryEditor } from './VariableQueryEditor';

beforeEach(() => {
  useTemplateVariables({ experiment: 'checkout-v2' });
});

describe('VariableQueryEditor', () => {
  it('renders experiments as the default list and asks the backend for nothing it does not need', async () => {
    const { ds, getResource } = dataSourceWith(CHECKOUT_RESOURCES);
    renderEditor(VariableQueryEditor, ds, { refId: 'A' });
    expect(screen.getByLabelText('List')).toHaveValue('Experiments');
    expect(screen.queryByLabelText(/^Experiment/)).not.toBeInTheDocument();
    // Listing experiments needs no experiment, so no choices are loaded.
    await new Promise((r) => setTimeout(r, 0));
    expect(getResource).not.toHaveBeenCalled();
  });

  it('listing arms asks for an experiment, loaded from the backend, and builds a variables query', async () => {
    const { ds, getResource } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery } = renderEditor(VariableQueryEditor, ds, { refId: 'A' });

    await choose(user, screen.getByLabelText('List'), 'Arms');
    expect(lastQuery()).toEqual({ refId: 'A', queryType: QueryType.Variables, variable: Variable.Arms });
    await waitFor(() => expect(getResource).toHaveBeenCalledWith('experiments', undefined, { showErrorAlert: false }));

    const experiment = screen.getByLabelText(/^Experiment/);
    expect(await openOptions(user, experiment)).toEqual([
      'checkout-v2 (New checkout)',
      'search-ranking',
      '$experimentDashboard variable',
    ]);
    await choose(user, experiment, '$experiment');
    expect(lastQuery()).toEqual({ refId: 'A', queryType: 'variables', variable: 'arms', experiment: '$experiment' });
  });

  it('going back to experiments drops the experiment', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery } = renderEditor(VariableQueryEditor, ds, {
      refId: 'A',
      queryType: QueryType.Variables,
      variable: Variable.Stages,
      experiment: 'checkout-v2',
    });
    await choose(user, screen.getByLabelText('List'), 'Experiments');
    expect(lastQuery()).toEqual({ refId: 'A', queryType: 'variables', variable: 'experiments' });
  });

  it('shows the backend’s error when experiments cannot be listed', async () => {
    const { ds } = dataSourceWith({
      experiments: {
        reject: fetchError(502, { error: 'liftgate exporter at http://exporter:9464: 503 Service Unavailable' }),
      },
    });
    renderEditor(VariableQueryEditor, ds, { refId: 'A', queryType: QueryType.Variables, variable: Variable.Metrics });
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Could not load experiments')).toBeInTheDocument();
    expect(
      within(alert).getByText('liftgate exporter at http://exporter:9464: 503 Service Unavailable')
    ).toBeInTheDocument();
  });
});
