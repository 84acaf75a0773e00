import React from 'react';
import { InlineField, Input } from '@grafana/ui';

interface Props {
  id: string;
  label: string;
  tooltip: string;
  value?: string;
  placeholder?: string;
  width?: number;
  required?: boolean;
  /** A message when the value is not acceptable; undefined means it is. */
  error?: string;
  onChange: (value: string | undefined) => void;
}

export const LABEL_WIDTH = 24;

/** One text setting; clearing it removes the key rather than saving "". Surrounding spaces are dropped on blur. */
export function TextSetting({ id, label, tooltip, value, placeholder, width, required, error, onChange }: Props) {
  return (
    <InlineField
      label={label}
      labelWidth={LABEL_WIDTH}
      tooltip={tooltip}
      htmlFor={id}
      required={required}
      invalid={Boolean(error) || Boolean(required && !value)}
      error={error}
    >
      <Input
        id={id}
        width={width ?? 40}
        value={value ?? ''}
        placeholder={placeholder}
        onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
        // Trimmed when done rather than on each key, so spaces can be typed.
        onBlur={(e) => {
          const trimmed = e.currentTarget.value.trim();
          if (trimmed !== e.currentTarget.value) {
            onChange(trimmed === '' ? undefined : trimmed);
          }
        }}
      />
    </InlineField>
  );
}
