import React from 'react';
import { InlineField, Input } from '@grafana/ui';

import { isDurationOrEmpty } from '../queryModel';

interface Props {
  id: string;
  label: string;
  tooltip: string;
  placeholder: string;
  value?: string;
  onChange: (value: string | undefined) => void;
  /** Called when the field loses focus with a valid value, to rerun the query. */
  onCommit: () => void;
}

/** A duration ("15m", "1h", "$bucket") with the mistake spelled out when it is not one. */
export function DurationField({ id, label, tooltip, placeholder, value, onChange, onCommit }: Props) {
  const valid = isDurationOrEmpty(value);
  return (
    <InlineField
      label={label}
      labelWidth={16}
      tooltip={tooltip}
      htmlFor={id}
      invalid={!valid}
      error={valid ? undefined : `"${value}" is not a duration: expected e.g. 30s, 15m, 1h or 7d`}
    >
      <Input
        id={id}
        width={16}
        value={value ?? ''}
        placeholder={placeholder}
        onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
        onBlur={(e) => {
          // Surrounding spaces are dropped when done, not on each key.
          const trimmed = e.currentTarget.value.trim();
          if (trimmed !== e.currentTarget.value) {
            onChange(trimmed === '' ? undefined : trimmed);
          }
          if (isDurationOrEmpty(trimmed)) {
            onCommit();
          }
        }}
      />
    </InlineField>
  );
}
