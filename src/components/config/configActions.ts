import type { ChangeEvent } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';

import { patchQuery } from '../../queryModel';
import { LiftgateSecureJsonData, LiftgateSettings } from '../../types';

export type ConfigProps = DataSourcePluginOptionsEditorProps<LiftgateSettings, LiftgateSecureJsonData>;

type Section = 'clickhouse' | 'postgres' | 'mapping';

/** What a SecretInput needs for one secureJsonData key. */
export interface SecretBinding {
  isConfigured: boolean;
  value: string;
  onChange: (e: ChangeEvent<HTMLInputElement>) => void;
  onReset: () => void;
}

/**
 * The edits a config section makes, each producing new options for Grafana.
 * Secrets only ever go to secureJsonData: Grafana encrypts them and tells the
 * editor no more than whether each is set (secureJsonFields).
 */
export function configActions({ options, onOptionsChange }: ConfigProps) {
  const jsonData = options.jsonData;

  const setJson = (patch: Partial<LiftgateSettings>) =>
    onOptionsChange({ ...options, jsonData: patchQuery(jsonData, patch) });

  function setSection<K extends Section>(section: K, patch: Partial<NonNullable<LiftgateSettings[K]>>) {
    const current = (jsonData[section] ?? {}) as NonNullable<LiftgateSettings[K]>;
    const next = patchQuery(current, patch);
    setJson({ [section]: Object.keys(next).length ? next : undefined } as Partial<LiftgateSettings>);
  }

  const secret = (key: keyof LiftgateSecureJsonData): SecretBinding => ({
    isConfigured: Boolean(options.secureJsonFields?.[key]),
    value: options.secureJsonData?.[key] ?? '',
    onChange: (e) =>
      onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, [key]: e.currentTarget.value } }),
    onReset: () =>
      onOptionsChange({
        ...options,
        secureJsonFields: { ...options.secureJsonFields, [key]: false },
        secureJsonData: { ...options.secureJsonData, [key]: '' },
      }),
  });

  return { jsonData, setJson, setSection, secret };
}

export type ConfigActions = ReturnType<typeof configActions>;

/** Whether a URL field holds an http(s) URL; empty is left to "required". */
export function isHttpUrl(text: string | undefined): boolean {
  if (!text) {
    return true;
  }
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
}
