import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, MultiCombobox, Stack } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { patchQuery } from '../queryModel';
import { AnnotationKind, LiftgateQuery, LiftgateSettings, QueryType, Variable } from '../types';
import { ChoiceField } from './ChoiceField';
import { DurationField } from './DurationField';
import { ANNOTATION_KIND_OPTIONS } from './options';
import { ResourceError } from './ResourceError';
import { useResourceChoices } from './useResourceChoices';

type Props = QueryEditorProps<DataSource, LiftgateQuery, LiftgateSettings>;

/**
 * The annotation query: an experiment and which of its events to mark
 * (stage changes, deployments, verdict and decision changes, SRM alarms),
 * and the step between the evaluations compared to find changes. Each
 * annotation carries its evidence in its text.
 */
export function AnnotationQueryEditor({ datasource, query, onChange, onRunQuery }: Props) {
  const experiments = useResourceChoices(datasource, Variable.Experiments, undefined);
  const update = (patch: Partial<LiftgateQuery>) =>
    onChange(patchQuery({ ...query, queryType: QueryType.Annotations }, patch));

  return (
    <Stack direction="column" gap={1}>
      <InlineFieldRow>
        <ChoiceField
          id="liftgate-annotation-experiment"
          label="Experiment"
          tooltip="The experiment whose events are marked"
          value={query.experiment}
          choices={experiments.choices}
          loading={experiments.loading}
          required
          onChange={(experiment) => update({ experiment })}
        />
        <InlineField
          label="Show"
          labelWidth={8}
          htmlFor="liftgate-annotation-kinds"
          tooltip="Which kinds of annotation to show; none chosen shows all"
        >
          <MultiCombobox
            id="liftgate-annotation-kinds"
            width={48}
            placeholder="All kinds"
            options={ANNOTATION_KIND_OPTIONS}
            value={query.annotationKinds ?? []}
            onChange={(opts) => {
              const kinds = opts.map((o) => o.value as AnnotationKind);
              update({ annotationKinds: kinds.length ? kinds : undefined });
            }}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <DurationField
          id="liftgate-annotation-step"
          label="Step"
          tooltip="How often the experiment is evaluated to find changes, e.g. 1h; empty picks one from the time range"
          placeholder="auto"
          value={query.bucket}
          onChange={(bucket) => update({ bucket })}
          onCommit={onRunQuery}
        />
      </InlineFieldRow>
      <ResourceError what="experiments" error={experiments.error} />
    </Stack>
  );
}
