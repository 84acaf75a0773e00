import React from 'react';
import { Combobox, InlineField, InlineFieldRow, Input, RadioButtonGroup, Stack, TagsInput } from '@grafana/ui';

import { isDurationOrEmpty, patchQuery } from '../queryModel';
import { EventValue, ExploratoryMetric, ExploratoryQuery, MetricKind } from '../types';
import { DIRECTION_OPTIONS, METRIC_KIND_OPTIONS } from './options';

interface Props {
  value?: ExploratoryQuery;
  onChange: (value: ExploratoryQuery) => void;
  /** Called when a text field loses focus, to rerun the query. */
  onCommit: () => void;
}

const EMPTY: ExploratoryQuery = {
  exposureEvent: '',
  experimentProperty: '',
  armProperty: '',
  control: '',
  arms: [],
  metric: { kind: MetricKind.Conversion },
};

const LABEL_WIDTH = 20;

/**
 * The ad-hoc definition of a comparison without a plan: how exposures are
 * recognised, the arms, and one metric in the plans' vocabulary.
 */
export function ExploratoryEditor({ value, onChange, onCommit }: Props) {
  const x: ExploratoryQuery = { ...EMPTY, ...value, metric: { ...EMPTY.metric, ...value?.metric } };
  const set = (patch: Partial<ExploratoryQuery>) => onChange(patchQuery(x, patch));
  const setMetric = (patch: Partial<ExploratoryMetric>) => set({ metric: patchQuery(x.metric, patch) });
  // Choices take effect at once; typed text waits for the field to lose focus.
  const choose = (apply: () => void) => {
    apply();
    onCommit();
  };
  const kind = x.metric.kind;

  const text = (
    id: string,
    label: string,
    tooltip: string,
    v: string | undefined,
    on: (s: string) => void,
    required = true
  ) => (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip} htmlFor={id} invalid={required && !v}>
      <Input id={id} width={28} value={v ?? ''} onChange={(e) => on(e.currentTarget.value)} onBlur={onCommit} />
    </InlineField>
  );

  const eventValue = (which: 'numerator' | 'denominator', v: EventValue | undefined) => (
    <InlineFieldRow>
      {text(
        `liftgate-x-${which}-event`,
        `${which === 'numerator' ? 'Numerator' : 'Denominator'} event`,
        `The ${which}'s event`,
        v?.event,
        (event) => setMetric({ [which]: { ...v, event } })
      )}
      {text(
        `liftgate-x-${which}-property`,
        'Summed property',
        `Sum this property of the ${which} event; empty counts the events`,
        v?.property,
        (property) => setMetric({ [which]: { event: v?.event ?? '', ...(property ? { property } : {}) } }),
        false
      )}
    </InlineFieldRow>
  );

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        {text(
          'liftgate-x-exposure-event',
          'Exposure event',
          'The event that marks a unit entering the experiment',
          x.exposureEvent,
          (exposureEvent) => set({ exposureEvent })
        )}
        {text(
          'liftgate-x-unit',
          'Unit',
          'The unit identifier: user_id (default) or a property name',
          x.unit,
          (unit) => set({ unit: unit || undefined }),
          false
        )}
      </InlineFieldRow>
      <InlineFieldRow>
        {text(
          'liftgate-x-experiment-property',
          'Experiment property',
          'The exposure property holding the experiment id',
          x.experimentProperty,
          (experimentProperty) => set({ experimentProperty })
        )}
        {text(
          'liftgate-x-arm-property',
          'Arm property',
          'The exposure property holding the arm name',
          x.armProperty,
          (armProperty) => set({ armProperty })
        )}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField
          label="Arms"
          labelWidth={LABEL_WIDTH}
          tooltip="Every arm, control included"
          htmlFor="liftgate-x-arms"
          invalid={x.arms.length < 2}
        >
          <TagsInput
            id="liftgate-x-arms"
            tags={x.arms}
            addOnBlur
            placeholder="Add an arm and press Enter"
            onChange={(arms) => choose(() => set({ arms, control: arms.includes(x.control) ? x.control : '' }))}
          />
        </InlineField>
        <InlineField
          label="Control"
          labelWidth={10}
          tooltip="The baseline arm"
          htmlFor="liftgate-x-control"
          invalid={!x.control}
        >
          <Combobox
            id="liftgate-x-control"
            width={20}
            placeholder={x.arms.length ? 'Choose' : 'Add arms first'}
            options={x.arms.map((a) => ({ value: a }))}
            value={x.control || null}
            onChange={(o) => choose(() => set({ control: o.value }))}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Metric kind" labelWidth={LABEL_WIDTH}>
          <RadioButtonGroup
            options={METRIC_KIND_OPTIONS}
            value={kind}
            onChange={(k) =>
              // A kind keeps only the definition fields it reads.
              choose(() =>
                setMetric(
                  k === MetricKind.Ratio
                    ? { kind: k, event: undefined, property: undefined }
                    : {
                        kind: k,
                        numerator: undefined,
                        denominator: undefined,
                        ...(k === MetricKind.Mean ? {} : { property: undefined }),
                      }
                )
              )
            }
          />
        </InlineField>
        <InlineField label="Good direction" labelWidth={16}>
          <RadioButtonGroup
            options={DIRECTION_OPTIONS}
            value={x.metric.direction ?? 'increase'}
            onChange={(direction) => choose(() => setMetric({ direction }))}
          />
        </InlineField>
      </InlineFieldRow>
      {kind === MetricKind.Ratio ? (
        <>
          {eventValue('numerator', x.metric.numerator)}
          {eventValue('denominator', x.metric.denominator)}
        </>
      ) : (
        <InlineFieldRow>
          {text(
            'liftgate-x-metric-event',
            'Metric event',
            'The event the metric counts or converts on',
            x.metric.event,
            (event) => setMetric({ event })
          )}
          {kind === MetricKind.Mean &&
            text(
              'liftgate-x-metric-property',
              'Property',
              'The event property whose per-unit sum is averaged',
              x.metric.property,
              (property) => setMetric({ property })
            )}
        </InlineFieldRow>
      )}
      <InlineFieldRow>
        {text(
          'liftgate-x-metric-name',
          'Metric name',
          'Labels the result; empty uses the kind and event',
          x.metric.name,
          (name) => setMetric({ name: name || undefined }),
          false
        )}
        <InlineField
          label="Window"
          labelWidth={10}
          tooltip="Count only events this long after first exposure, e.g. 7d"
          htmlFor="liftgate-x-window"
          invalid={!isDurationOrEmpty(x.metric.window)}
          error={
            isDurationOrEmpty(x.metric.window)
              ? undefined
              : `"${x.metric.window}" is not a duration: expected e.g. 24h or 7d`
          }
        >
          <Input
            id="liftgate-x-window"
            width={12}
            placeholder="none"
            value={x.metric.window ?? ''}
            onChange={(e) => setMetric({ window: e.currentTarget.value || undefined })}
            onBlur={onCommit}
          />
        </InlineField>
      </InlineFieldRow>
    </Stack>
  );
}
