import React from 'react';
import { CodeEditor, InlineField } from '@grafana/ui';

import { PROMQL_LANGUAGE_ID, registerPromQL } from '../promql/language';

interface Props {
  value?: string;
  /** Called with the edited expression when the editor loses focus. */
  onChange: (expr: string) => void;
  invalid?: boolean;
}

/**
 * The PromQL expression of a telemetry query, in Grafana's code editor with
 * PromQL highlighting. The backend adds the arm matcher to every selector,
 * so the expression is written for one arm's series.
 */
export function PromQLField({ value, onChange, invalid }: Props) {
  return (
    <InlineField
      label="PromQL"
      labelWidth={16}
      grow
      invalid={invalid}
      tooltip="The expression to split by arm, e.g. histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))). The arm matcher is added to every selector."
    >
      {/* The editor itself is InlineField's child: InlineField hands its child an
          `invalid` prop, which a wrapping <div> would pass on to the DOM. */}
      <CodeEditor
        value={value ?? ''}
        language={PROMQL_LANGUAGE_ID}
        width="100%"
        height={80}
        showLineNumbers={false}
        showMiniMap={false}
        onBeforeEditorMount={registerPromQL}
        onBlur={(text) => {
          if (text !== (value ?? '')) {
            onChange(text);
          }
        }}
        monacoOptions={{ wordWrap: 'on', fontSize: 13, scrollBeyondLastLine: false }}
      />
    </InlineField>
  );
}
