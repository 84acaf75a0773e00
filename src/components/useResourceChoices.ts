import type { DataSource } from '../datasource';
import { Variable } from '../types';
import { ChoicesState, useChoices } from './useChoices';

/**
 * The choices of one kind for an editor field: experiments, or the metrics,
 * arms, segments or stages of `experiment`. Nothing is requested while the
 * field is hidden or no experiment is chosen yet.
 */
export function useResourceChoices(
  datasource: DataSource,
  kind: Variable,
  experiment: string | undefined,
  shown = true
): ChoicesState {
  const needsExperiment = kind !== Variable.Experiments;
  const ready = shown && (!needsExperiment || Boolean(experiment));
  const key = needsExperiment ? `${kind}/${experiment ?? ''}` : kind;
  return useChoices(
    key,
    ready ? () => datasource.listChoices(kind, needsExperiment ? experiment : undefined) : undefined
  );
}
