import React from 'react';
import { SelectableValue } from '@grafana/data';
import { Button, InlineField, RadioButtonGroup, Stack } from '@grafana/ui';

import { EventStore, MappingSettings } from '../../types';
import { ConfigActions } from './configActions';
import { LABEL_WIDTH, TextSetting } from './TextSetting';

// Presets mirror pkg/events: LiftgateMapping and PostHogMapping.
export const MAPPING_PRESETS: Record<'liftgate' | 'posthog', MappingSettings> = {
  liftgate: {
    table: 'events',
    idColumn: 'id',
    eventColumn: 'event',
    unitColumn: 'unit_id',
    timeColumn: 'ts',
    propertiesColumn: 'properties',
    properties: 'json',
  },
  posthog: {
    table: 'events',
    idColumn: 'uuid',
    eventColumn: 'event',
    unitColumn: 'distinct_id',
    timeColumn: 'timestamp',
    propertiesColumn: 'properties',
    properties: 'json',
    exposureEvent: '$feature_flag_called',
    exposureExperimentProperty: '$feature_flag',
    exposureArmProperty: '$feature_flag_response',
  },
};

// What the backend accepts for a mapped identifier (events.Mapping.Validate):
// a plain or db-qualified name. Checked here too so the mistake shows while
// typing, not only at "Save & test".
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

export function identifierError(value: string | undefined): string | undefined {
  return !value || IDENTIFIER.test(value)
    ? undefined
    : 'Expected a plain identifier (letters, digits, _ and $), optionally db.table';
}

const COLUMNS: Array<{ key: keyof MappingSettings; label: string; tooltip: string; placeholder: string }> = [
  { key: 'table', label: 'Events table', tooltip: 'One row per event, optionally db.table', placeholder: 'events' },
  { key: 'idColumn', label: 'Event id column', tooltip: 'Deduplicates events; optional', placeholder: 'id' },
  { key: 'eventColumn', label: 'Event name column', tooltip: 'The event name', placeholder: 'event' },
  { key: 'unitColumn', label: 'Unit column', tooltip: 'The randomisation unit (user) id', placeholder: 'unit_id' },
  { key: 'timeColumn', label: 'Time column', tooltip: 'The event time', placeholder: 'ts' },
  { key: 'propertiesColumn', label: 'Properties column', tooltip: 'The event properties', placeholder: 'properties' },
];

const EXPOSURE: Array<{ key: keyof MappingSettings; label: string; tooltip: string; placeholder: string }> = [
  {
    key: 'exposureEvent',
    label: 'Exposure event',
    tooltip: "Overrides every plan's exposure event",
    placeholder: "the plan's",
  },
  {
    key: 'exposureExperimentProperty',
    label: 'Experiment property',
    tooltip: 'The exposure property holding the experiment id',
    placeholder: "the plan's",
  },
  {
    key: 'exposureArmProperty',
    label: 'Arm property',
    tooltip: 'The exposure property holding the arm',
    placeholder: "the plan's",
  },
];

interface Props extends ConfigActions {
  store: EventStore;
}

/** Where events live in the user's own schema; empty means liftgate's schema. */
export function MappingSection({ jsonData, setJson, setSection, store }: Props) {
  const m = jsonData.mapping ?? {};
  const set = (patch: Partial<MappingSettings>) => setSection('mapping', patch);
  const propertyKinds: Array<SelectableValue<string>> = [
    { value: 'json', label: 'JSON' },
    ...(store === EventStore.ClickHouse ? [{ value: 'map', label: 'Map(String, String)' }] : []),
  ];

  return (
    <>
      <InlineField label="Schema preset" labelWidth={LABEL_WIDTH} tooltip="Fill the mapping for a known schema">
        <Stack gap={1}>
          <Button variant="secondary" size="sm" onClick={() => setJson({ mapping: { ...MAPPING_PRESETS.liftgate } })}>
            liftgate
          </Button>
          <Button variant="secondary" size="sm" onClick={() => setJson({ mapping: { ...MAPPING_PRESETS.posthog } })}>
            PostHog
          </Button>
        </Stack>
      </InlineField>
      {COLUMNS.map((c) => (
        <TextSetting
          key={c.key}
          id={`liftgate-mapping-${c.key}`}
          label={c.label}
          tooltip={c.tooltip}
          placeholder={c.placeholder}
          value={m[c.key]}
          error={identifierError(m[c.key])}
          onChange={(v) => set({ [c.key]: v })}
        />
      ))}
      <InlineField
        label="Properties stored as"
        labelWidth={LABEL_WIDTH}
        tooltip="How the properties column holds properties"
      >
        <RadioButtonGroup
          options={propertyKinds}
          value={m.properties ?? 'json'}
          onChange={(properties) => set({ properties })}
        />
      </InlineField>
      {EXPOSURE.map((c) => (
        <TextSetting
          key={c.key}
          id={`liftgate-mapping-${c.key}`}
          label={c.label}
          tooltip={c.tooltip}
          placeholder={c.placeholder}
          value={m[c.key]}
          onChange={(v) => set({ [c.key]: v })}
        />
      ))}
    </>
  );
}
