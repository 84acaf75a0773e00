import React from 'react';
import { InlineFieldRow, Stack } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { LiftgateQuery, Variable } from '../types';
import { ChoiceField } from './ChoiceField';
import { ResourceError } from './ResourceError';
import { useResourceChoices } from './useResourceChoices';

type Field = 'experiment' | 'metric' | 'arm' | 'segment';

interface Props {
  datasource: DataSource;
  query: LiftgateQuery;
  /** Which of experiment, metric, arm and segment to show. */
  fields: Field[];
  /** Which of the shown fields the query cannot run without. */
  required: Field[];
  /** The experiment is free text (exploratory: an id on events, not a plan). */
  experimentLabel?: string;
  experimentTooltip?: string;
  metricTooltip?: string;
  onChange: (patch: Partial<LiftgateQuery>) => void;
}

/**
 * The experiment and, once one is chosen, its metric, arm and segment, each
 * offered from the backend's lists for that experiment. Changing the
 * experiment clears the others: a metric of another plan means nothing.
 */
export function ExperimentFields({ datasource, query, fields, required, onChange, ...props }: Props) {
  const shows = (f: Field) => fields.includes(f);
  const experiments = useResourceChoices(datasource, Variable.Experiments, undefined, shows('experiment'));
  const metrics = useResourceChoices(datasource, Variable.Metrics, query.experiment, shows('metric'));
  const arms = useResourceChoices(datasource, Variable.Arms, query.experiment, shows('arm'));
  const segments = useResourceChoices(datasource, Variable.Segments, query.experiment, shows('segment'));

  const onExperiment = (experiment: string | undefined) => {
    if (experiment === query.experiment) {
      return;
    }
    onChange({ experiment, metric: undefined, arm: undefined, segment: undefined });
  };

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        {shows('experiment') && (
          <ChoiceField
            id="liftgate-experiment"
            label={props.experimentLabel ?? 'Experiment'}
            tooltip={props.experimentTooltip ?? 'The plan to analyse, as served by the exporter'}
            value={query.experiment}
            choices={experiments.choices}
            loading={experiments.loading}
            required={required.includes('experiment')}
            onChange={onExperiment}
          />
        )}
        {shows('metric') && (
          <ChoiceField
            id="liftgate-metric"
            label="Metric"
            labelWidth={10}
            tooltip={props.metricTooltip ?? 'A metric of the plan'}
            value={query.metric}
            choices={metrics.choices}
            loading={metrics.loading}
            required={required.includes('metric')}
            onChange={(metric) => onChange({ metric })}
          />
        )}
      </InlineFieldRow>
      <InlineFieldRow>
        {shows('arm') && (
          <ChoiceField
            id="liftgate-arm"
            label="Arm"
            tooltip="Keep only this treatment arm's results; empty means every arm"
            value={query.arm}
            choices={arms.choices}
            loading={arms.loading}
            onChange={(arm) => onChange({ arm })}
          />
        )}
        {shows('segment') && (
          <ChoiceField
            id="liftgate-segment"
            label="Segment"
            labelWidth={10}
            tooltip="A segment property of the plan: results per value of it"
            placeholder="None"
            value={query.segment}
            choices={segments.choices}
            loading={segments.loading}
            onChange={(segment) => onChange({ segment })}
          />
        )}
      </InlineFieldRow>
      <ResourceError what="experiments" error={experiments.error} />
      <ResourceError what="metrics" error={metrics.error} />
      <ResourceError what="arms" error={arms.error} />
      <ResourceError what="segments" error={segments.error} />
    </Stack>
  );
}
