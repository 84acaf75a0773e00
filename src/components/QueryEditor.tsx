import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Alert, Combobox, InlineField, InlineFieldRow, Input, RadioButtonGroup, Stack } from '@grafana/ui';

import type { DataSource } from '../datasource';
import {
  fieldsOf,
  missingFields,
  PANEL_QUERY_TYPES,
  patchQuery,
  queryTypeOf,
  QueryField,
  withQueryType,
} from '../queryModel';
import { LiftgateQuery, LiftgateSettings, QueryType, Scale, Series } from '../types';
import { DurationField } from './DurationField';
import { ExperimentFields } from './ExperimentFields';
import { ExploratoryEditor } from './ExploratoryEditor';
import { NUMERIC_VALUE_OPTIONS, SCALE_OPTIONS, SERIES_OPTIONS } from './options';
import { PromQLField } from './PromQLField';

type Props = QueryEditorProps<DataSource, LiftgateQuery, LiftgateSettings>;

const QUERY_TYPE_OPTIONS = PANEL_QUERY_TYPES.map((t) => ({
  value: t.value,
  label: t.label,
  description: t.description,
}));

// What the metric means differs by query type (pkg/models/query.go).
const METRIC_TOOLTIPS: Partial<Record<QueryType, string>> = {
  [QueryType.Comparison]: 'Keep only this metric; empty means every metric of the plan',
  [QueryType.LiftOverTime]: 'Keep only this metric; empty means every metric of the plan',
  [QueryType.ArmSeries]: 'The metric to chart per arm',
  [QueryType.TelemetryByArm]: "One of the plan's Prometheus metrics, charted when the PromQL expression is empty",
  [QueryType.TelemetryBehaviour]: 'The product metric to correlate the telemetry with',
};

/**
 * The panel query editor: the query type first, then exactly the fields that
 * type reads (pkg/models/query.go). Choices come from the backend; the query
 * reruns after each choice and when a text field loses focus.
 */
export function QueryEditor({ datasource, query, onChange, onRunQuery }: Props) {
  const queryType = queryTypeOf(query);
  const shows = (f: QueryField) => fieldsOf(queryType).includes(f);
  const update = (patch: Partial<LiftgateQuery>, run = true) => {
    onChange(patchQuery(query, patch));
    if (run) {
      onRunQuery();
    }
  };
  const missing = missingFields(query);
  const metricRequired =
    queryType === QueryType.TelemetryBehaviour ||
    (queryType === QueryType.ArmSeries && (query.series ?? Series.Metric) === Series.Metric);

  return (
    <Stack direction="column" gap={1}>
      <InlineFieldRow>
        <InlineField
          label="Query type"
          labelWidth={16}
          htmlFor="liftgate-query-type"
          tooltip="What the backend computes"
        >
          <Combobox
            id="liftgate-query-type"
            width={32}
            options={QUERY_TYPE_OPTIONS}
            value={queryType}
            onChange={(o) => {
              onChange(withQueryType(query, o.value));
              onRunQuery();
            }}
          />
        </InlineField>
        {shows('series') && (
          <InlineField label="Plot" labelWidth={8}>
            <RadioButtonGroup
              options={SERIES_OPTIONS}
              value={query.series ?? Series.Metric}
              onChange={(series) => update({ series })}
            />
          </InlineField>
        )}
        {shows('scale') && (
          <InlineField label="Scale" labelWidth={8}>
            <RadioButtonGroup
              options={SCALE_OPTIONS}
              value={query.scale ?? Scale.Relative}
              onChange={(scale) => update({ scale })}
            />
          </InlineField>
        )}
      </InlineFieldRow>

      <ExperimentFields
        datasource={datasource}
        query={query}
        fields={(['experiment', 'metric', 'arm', 'segment'] as const).filter(
          (f) => shows(f) && !(f === 'metric' && queryType === QueryType.ArmSeries && query.series === Series.Units)
        )}
        required={metricRequired ? ['experiment', 'metric'] : ['experiment']}
        experimentLabel={queryType === QueryType.Exploratory ? 'Experiment id' : undefined}
        experimentTooltip={
          queryType === QueryType.Exploratory
            ? 'The experiment id the exposure events carry; no plan is needed'
            : undefined
        }
        metricTooltip={METRIC_TOOLTIPS[queryType]}
        onChange={(patch) => update(patch)}
      />

      {shows('numericValue') && (
        <InlineFieldRow>
          <InlineField
            label="Alert value"
            labelWidth={16}
            htmlFor="liftgate-numeric-value"
            tooltip="Reduce the table to one number per metric and arm so Grafana Alerting can evaluate it; empty returns the full table"
          >
            <Combobox
              id="liftgate-numeric-value"
              width={32}
              isClearable
              placeholder="Full table"
              options={NUMERIC_VALUE_OPTIONS}
              value={query.numericValue ?? null}
              onChange={(o) => update({ numericValue: o?.value })}
            />
          </InlineField>
        </InlineFieldRow>
      )}

      {shows('expr') && (
        <PromQLField
          value={query.expr}
          invalid={missing.some((m) => m.startsWith('expr:'))}
          onChange={(expr) => update({ expr: expr || undefined })}
        />
      )}

      {(shows('armLabel') || shows('maxLag') || shows('bucket')) && (
        <InlineFieldRow>
          {shows('bucket') && (
            <DurationField
              id="liftgate-bucket"
              label="Bucket"
              tooltip="The time bucket or step, e.g. 1h; empty picks one from the panel's interval"
              placeholder="auto"
              value={query.bucket}
              onChange={(bucket) => update({ bucket }, false)}
              onCommit={onRunQuery}
            />
          )}
          {shows('armLabel') && (
            <InlineField
              label="Arm label"
              labelWidth={12}
              htmlFor="liftgate-arm-label"
              tooltip="The series label holding the arm; empty uses the plan's telemetry arm label"
            >
              <Input
                id="liftgate-arm-label"
                width={20}
                placeholder="from the plan"
                value={query.armLabel ?? ''}
                onChange={(e) => update({ armLabel: e.currentTarget.value || undefined }, false)}
                onBlur={onRunQuery}
              />
            </InlineField>
          )}
          {shows('maxLag') && (
            <DurationField
              id="liftgate-max-lag"
              label="Max lag"
              tooltip="The longest lag between telemetry and behaviour to try, e.g. 30m; empty means no lag search"
              placeholder="0"
              value={query.maxLag}
              onChange={(maxLag) => update({ maxLag }, false)}
              onCommit={onRunQuery}
            />
          )}
        </InlineFieldRow>
      )}

      {shows('exploratory') && (
        <ExploratoryEditor
          value={query.exploratory}
          onChange={(exploratory) => update({ exploratory }, false)}
          onCommit={onRunQuery}
        />
      )}

      {missing.length > 0 && (
        <Alert severity="info" title="This query does not run until it has:">
          <ul>
            {missing.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </Alert>
      )}
    </Stack>
  );
}
