import React from 'react';
import { FieldSet } from '@grafana/ui';

import { isDurationOrEmpty } from '../../queryModel';
import { ConfigActions } from './configActions';
import { TextSetting } from './TextSetting';

const durationError = (v: string | undefined) =>
  isDurationOrEmpty(v) ? undefined : `"${v}" is not a duration: expected e.g. 30s, 2m or 0s`;

/** How long identical queries share a result, and how long one query may take. */
export function QuerySection({ jsonData, setJson }: ConfigActions) {
  return (
    <FieldSet label="Queries">
      <TextSetting
        id="liftgate-cache-ttl"
        label="Cache results for"
        tooltip="Identical queries (same query, same time range) within this time share one result, so a dashboard's panels run one scan; 0s turns the cache off"
        placeholder="30s"
        width={16}
        value={jsonData.cacheTtl}
        error={durationError(jsonData.cacheTtl)}
        onChange={(cacheTtl) => setJson({ cacheTtl })}
      />
      <TextSetting
        id="liftgate-timeout"
        label="Query timeout"
        tooltip="Bounds one query against any source"
        placeholder="2m"
        width={16}
        value={jsonData.timeout}
        error={durationError(jsonData.timeout)}
        onChange={(timeout) => setJson({ timeout })}
      />
    </FieldSet>
  );
}
