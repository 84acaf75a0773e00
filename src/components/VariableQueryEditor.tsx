import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, Stack } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { patchQuery } from '../queryModel';
import { LiftgateQuery, LiftgateSettings, QueryType, Variable } from '../types';
import { ChoiceField } from './ChoiceField';
import { VARIABLE_OPTIONS } from './options';
import { ResourceError } from './ResourceError';
import { useResourceChoices } from './useResourceChoices';

type Props = QueryEditorProps<DataSource, LiftgateQuery, LiftgateSettings, LiftgateQuery>;

/**
 * The query of a dashboard variable: what to list (experiments, or one
 * experiment's metrics, arms, segments or stages) and for which experiment,
 * which may itself be another variable ("$experiment").
 */
export function VariableQueryEditor({ datasource, query, onChange }: Props) {
  const variable = query.variable ?? Variable.Experiments;
  const needsExperiment = variable !== Variable.Experiments;
  const experiments = useResourceChoices(datasource, Variable.Experiments, undefined, needsExperiment);
  const update = (patch: Partial<LiftgateQuery>) =>
    onChange(patchQuery({ ...query, queryType: QueryType.Variables, variable }, patch));

  return (
    <Stack direction="column" gap={1}>
      <InlineFieldRow>
        <InlineField label="List" labelWidth={16} htmlFor="liftgate-variable" tooltip="What the variable's values are">
          <Combobox
            id="liftgate-variable"
            width={32}
            options={VARIABLE_OPTIONS}
            value={variable}
            onChange={(o) =>
              update({ variable: o.value, ...(o.value === Variable.Experiments ? { experiment: undefined } : {}) })
            }
          />
        </InlineField>
        {needsExperiment && (
          <ChoiceField
            id="liftgate-variable-experiment"
            label="Experiment"
            labelWidth={12}
            tooltip="The experiment whose values are listed; another variable such as $experiment works too"
            value={query.experiment}
            choices={experiments.choices}
            loading={experiments.loading}
            required
            onChange={(experiment) => update({ experiment })}
          />
        )}
      </InlineFieldRow>
      <ResourceError what="experiments" error={experiments.error} />
    </Stack>
  );
}
