import React from 'react';
import { SelectableValue } from '@grafana/data';
import { FieldSet, InlineField, RadioButtonGroup } from '@grafana/ui';

import { PrometheusAuth } from '../../types';
import { ConfigActions, isHttpUrl } from './configActions';
import { SecretSetting } from './SecretSetting';
import { LABEL_WIDTH, TextSetting } from './TextSetting';

const AUTH_OPTIONS: Array<SelectableValue<PrometheusAuth>> = [
  { value: PrometheusAuth.None, label: 'None' },
  { value: PrometheusAuth.Basic, label: 'Basic auth' },
  { value: PrometheusAuth.Bearer, label: 'Bearer token' },
];

/** The Prometheus API for telemetry queries and deployment markers. */
export function PrometheusSection({ jsonData, setJson, secret }: ConfigActions) {
  const auth = jsonData.prometheusAuth ?? PrometheusAuth.None;
  return (
    <FieldSet label="Prometheus">
      <TextSetting
        id="liftgate-prometheus-url"
        label="Prometheus URL"
        tooltip="Prometheus (or compatible) API base URL for telemetry queries and deployment markers; empty disables them"
        placeholder="http://prometheus:9090"
        value={jsonData.prometheusUrl}
        error={isHttpUrl(jsonData.prometheusUrl) ? undefined : 'Expected an http:// or https:// URL'}
        onChange={(prometheusUrl) => setJson({ prometheusUrl })}
      />
      <InlineField label="Authentication" labelWidth={LABEL_WIDTH}>
        <RadioButtonGroup
          options={AUTH_OPTIONS}
          value={auth}
          // The user only means something with basic auth.
          onChange={(prometheusAuth) =>
            setJson({
              prometheusAuth,
              ...(prometheusAuth === PrometheusAuth.Basic ? {} : { prometheusUser: undefined }),
            })
          }
        />
      </InlineField>
      {auth === PrometheusAuth.Basic && (
        <>
          <TextSetting
            id="liftgate-prometheus-user"
            label="User"
            tooltip="Basic-auth user"
            required
            value={jsonData.prometheusUser}
            onChange={(prometheusUser) => setJson({ prometheusUser })}
          />
          <SecretSetting
            id="liftgate-prometheus-password"
            label="Password"
            tooltip="Basic-auth password"
            placeholder="Password"
            binding={secret('prometheusPassword')}
          />
        </>
      )}
      {auth === PrometheusAuth.Bearer && (
        <SecretSetting
          id="liftgate-prometheus-token"
          label="Token"
          tooltip="Sent as Authorization: Bearer"
          placeholder="Token"
          binding={secret('prometheusToken')}
        />
      )}
    </FieldSet>
  );
}
