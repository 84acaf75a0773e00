import React from 'react';
import { FieldSet } from '@grafana/ui';

import { ConfigActions, isHttpUrl } from './configActions';
import { SecretSetting } from './SecretSetting';
import { TextSetting } from './TextSetting';

/** The exporter: where plans always come from, so plugin and exporter never disagree. */
export function ExporterSection({ jsonData, setJson, secret }: ConfigActions) {
  return (
    <FieldSet label="liftgate exporter">
      <TextSetting
        id="liftgate-exporter-url"
        label="Exporter URL"
        tooltip="The liftgate exporter's base URL. Plans always come from it; with the exporter event store, events too."
        placeholder="http://liftgate-exporter:9464"
        required
        value={jsonData.exporterUrl}
        error={isHttpUrl(jsonData.exporterUrl) ? undefined : 'Expected an http:// or https:// URL'}
        onChange={(exporterUrl) => setJson({ exporterUrl })}
      />
      <SecretSetting
        id="liftgate-exporter-token"
        label="Exporter API token"
        tooltip="Bearer token for the exporter's API, if it requires one"
        placeholder="Token"
        binding={secret('exporterToken')}
      />
    </FieldSet>
  );
}
