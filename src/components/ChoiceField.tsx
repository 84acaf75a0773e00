import React from 'react';
import { Combobox, ComboboxOption, InlineField } from '@grafana/ui';

import { Choice } from '../resources';
import { templateVariableOptions } from './templateVariables';

interface Props {
  label: string;
  tooltip: string;
  /** Stable id; tests and the label's htmlFor use it. */
  id: string;
  value?: string;
  choices: Choice[];
  loading?: boolean;
  /** Required fields cannot be cleared and show as invalid while empty. */
  required?: boolean;
  placeholder?: string;
  labelWidth?: number;
  width?: number;
  /** Whether dashboard variables are offered next to the choices. */
  variables?: boolean;
  onChange: (value: string | undefined) => void;
}

/**
 * One field whose value comes from a list the backend supplies (experiments,
 * metrics, arms, ...). A value the list does not hold can still be typed: the
 * list may lag the plans, and dashboard variables are values too.
 */
export function ChoiceField(props: Props) {
  const { label, tooltip, id, value, choices, loading, required, placeholder, onChange } = props;
  const options: Array<ComboboxOption<string>> = [
    ...choices.map((c) => ({ value: c.value, label: c.label ?? c.value, description: c.description })),
    ...(props.variables === false ? [] : templateVariableOptions()),
  ];
  const selected = value ? (options.find((o) => o.value === value) ?? { value, label: value }) : null;
  const common = {
    id,
    options,
    value: selected,
    createCustomValue: true,
    placeholder: placeholder ?? (required ? 'Choose' : 'All'),
    width: props.width ?? 32,
  };

  return (
    <InlineField
      label={label}
      labelWidth={props.labelWidth ?? 16}
      tooltip={tooltip}
      htmlFor={id}
      // InlineField hands invalid and loading to its child, overriding the
      // child's own; so they are set here.
      invalid={Boolean(required && !value)}
      loading={loading}
    >
      {required ? (
        <Combobox {...common} onChange={(o) => onChange(o.value)} />
      ) : (
        <Combobox {...common} isClearable onChange={(o) => onChange(o?.value || undefined)} />
      )}
    </InlineField>
  );
}
