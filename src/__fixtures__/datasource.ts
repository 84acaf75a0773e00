/**
 * Test fixtures: a real DataSource whose backend resources are canned, and a
 * template service with a few dashboard variables.
 */
import { DataSourceInstanceSettings, DataSourcePluginMeta, ScopedVars } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';

import { DataSource } from '../datasource';
import { LiftgateSettings } from '../types';

/** What Grafana's backendSrv throws for a non-2xx resource answer. */
export function fetchError(status: number, body: unknown) {
  return { status, statusText: status === 502 ? 'Bad Gateway' : 'Error', data: body };
}

/** A canned resource answer: a body, or a rejected request. */
export type Canned = unknown | { reject: unknown };

/**
 * A DataSource whose getResource answers from `resources` (path → body, or
 * {reject: error}); an unknown path answers 404 like the backend's mux.
 * `pending` paths never answer, to observe loading states.
 */
export function dataSourceWith(resources: Record<string, Canned>, pending: string[] = []) {
  const settings = {
    uid: 'liftgate-test',
    type: 'liftgate-rollout-datasource',
    name: 'liftgate',
    meta: { id: 'liftgate-rollout-datasource' } as DataSourcePluginMeta,
    jsonData: { exporterUrl: 'http://exporter:9464' },
    access: 'proxy',
    readOnly: false,
  } as DataSourceInstanceSettings<LiftgateSettings>;
  const ds = new DataSource(settings);
  const getResource = jest.spyOn(ds, 'getResource').mockImplementation(async (path: string) => {
    if (pending.includes(path)) {
      return new Promise(() => {});
    }
    if (!(path in resources)) {
      throw fetchError(404, { error: `no resource GET /${path}` });
    }
    const answer = resources[path];
    if (answer && typeof answer === 'object' && 'reject' in answer) {
      throw (answer as { reject: unknown }).reject;
    }
    return answer;
  });
  return { ds, getResource };
}

/** Installs a template service whose variables are `vars` (name → value). */
export function useTemplateVariables(vars: Record<string, string>) {
  const replace = (text?: string, scoped?: ScopedVars) =>
    (text ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string, bare: string) => {
      const name = braced ?? bare;
      const scopedValue = scoped?.[name]?.value;
      if (scopedValue !== undefined) {
        return String(scopedValue);
      }
      return name in vars ? vars[name] : whole;
    });
  const srv = {
    getVariables: () => Object.keys(vars).map((name) => ({ name, type: 'custom' })),
    replace,
    containsTemplate: (text?: string) => /\$/.test(text ?? ''),
    updateTimeRange: () => {},
  } as unknown as TemplateSrv;
  setTemplateSrv(srv);
  return srv;
}

export const EXPERIMENTS = [
  { label: 'checkout-v2 (New checkout)', value: 'checkout-v2' },
  { label: 'search-ranking', value: 'search-ranking' },
];
export const METRICS = [
  { label: 'purchase (primary, conversion)', value: 'purchase' },
  { label: 'revenue (secondary, mean)', value: 'revenue' },
];
export const ARMS = [
  { label: 'control (control)', value: 'control' },
  { label: 'treatment', value: 'treatment' },
];
export const SEGMENTS = [{ label: 'country', value: 'country' }];

/** The resources of one experiment, checkout-v2, as the backend lists them. */
export const CHECKOUT_RESOURCES: Record<string, Canned> = {
  experiments: EXPERIMENTS,
  'experiments/checkout-v2/metrics': METRICS,
  'experiments/checkout-v2/arms': ARMS,
  'experiments/checkout-v2/segments': SEGMENTS,
  'experiments/checkout-v2/stages': [{ label: 'canary', value: 'canary' }],
};
