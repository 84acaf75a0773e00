import React from 'react';
import { InlineField, SecretInput } from '@grafana/ui';

import { SecretBinding } from './configActions';
import { LABEL_WIDTH } from './TextSetting';

interface Props {
  id: string;
  label: string;
  tooltip: string;
  placeholder?: string;
  binding: SecretBinding;
}

/** One secret: write-only, shown as "configured" once saved, with a Reset button. */
export function SecretSetting({ id, label, tooltip, placeholder, binding }: Props) {
  return (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip} htmlFor={id}>
      <SecretInput
        id={id}
        width={40}
        placeholder={placeholder}
        isConfigured={binding.isConfigured}
        value={binding.value}
        onChange={binding.onChange}
        onReset={binding.onReset}
      />
    </InlineField>
  );
}
