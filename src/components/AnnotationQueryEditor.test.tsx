import { screen, waitFor, within } from '@testing-library/react';

import { CHECKOUT_RESOURCES, dataSourceWith, fetchError, useTemplateVariables } from '../__fixtures__/datasource';
import { choose, openOptions, renderEditor } from '../__fixtures__/editor';
import { AnnotationKind, QueryType } from '../types';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';

beforeEach(() => {
  useTemplateVariables({});
});

describe('AnnotationQueryEditor', () => {
  it('renders the experiment and the kinds, all kinds when none are chosen', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    renderEditor(AnnotationQueryEditor, ds, { refId: 'Anno' });
    expect(screen.getByLabelText(/^Experiment/)).toBeInTheDocument();
    expect(screen.getByPlaceholderText('All kinds')).toBeInTheDocument();
    // The experiment list is loading (Combobox's spinner), then loaded.
    expect(screen.getByTestId('spinner')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('spinner')).not.toBeInTheDocument());
  });

  it('loads experiments and builds an annotations query with the chosen kinds', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user, lastQuery } = renderEditor(AnnotationQueryEditor, ds, { refId: 'Anno' });

    expect(await openOptions(user, screen.getByLabelText(/^Experiment/))).toEqual([
      'checkout-v2 (New checkout)',
      'search-ranking',
    ]);
    await choose(user, screen.getByLabelText(/^Experiment/), 'checkout-v2');
    expect(lastQuery()).toEqual({ refId: 'Anno', queryType: QueryType.Annotations, experiment: 'checkout-v2' });

    await choose(user, screen.getByLabelText('Show'), 'Decision changes');
    await choose(user, screen.getByLabelText('Show'), 'SRM alarms');
    expect(lastQuery()).toEqual({
      refId: 'Anno',
      queryType: 'annotations',
      experiment: 'checkout-v2',
      annotationKinds: [AnnotationKind.Decisions, AnnotationKind.SRM],
    });

    await user.type(screen.getByLabelText('Step'), '1h');
    expect(lastQuery()).toMatchObject({ bucket: '1h' });
  });

  it('flags a step that is not a duration', async () => {
    const { ds } = dataSourceWith(CHECKOUT_RESOURCES);
    const { user } = renderEditor(AnnotationQueryEditor, ds, { refId: 'Anno', experiment: 'checkout-v2' });
    await user.type(screen.getByLabelText('Step'), 'hourly');
    expect(screen.getByText('"hourly" is not a duration: expected e.g. 30s, 15m, 1h or 7d')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('spinner')).not.toBeInTheDocument());
  });

  it('shows the backend’s error when experiments cannot be listed', async () => {
    const { ds } = dataSourceWith({
      experiments: { reject: fetchError(401, { error: 'exporter rejected the API token' }) },
    });
    renderEditor(AnnotationQueryEditor, ds, { refId: 'Anno' });
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('exporter rejected the API token')).toBeInTheDocument();
  });
});
