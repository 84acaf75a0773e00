/**
 * The backend's resource endpoints that feed the editors' choices, and the
 * two conversions every caller needs: a response body into choices, and a
 * failed request into a sentence for the user.
 */
import { Variable } from './types';

/** One choice offered by an editor. */
export interface Choice {
  value: string;
  label?: string;
  description?: string;
}

/**
 * The resource path (relative to the data source's resources URL) that lists
 * one kind of choice. Everything but experiments belongs to one experiment,
 * whose id is path-escaped because it is user text.
 */
export function resourcePath(kind: Variable, experiment?: string): string {
  if (kind === Variable.Experiments) {
    return 'experiments';
  }
  if (!experiment) {
    throw new Error(`listing ${kind} needs an experiment`);
  }
  return `experiments/${encodeURIComponent(experiment)}/${kind}`;
}

/**
 * Turns a resource response body into choices. The backend answers with a
 * JSON array of {"label", "value"} (pkg/plugin/handler_callresource.go);
 * bare strings are accepted as values. Anything else is refused loudly rather
 * than shown as an empty list.
 */
export function toChoices(body: unknown): Choice[] {
  if (!Array.isArray(body)) {
    throw new Error('unexpected response from the data source: expected a list of choices');
  }
  const choices: Choice[] = [];
  for (const item of body) {
    const choice = toChoice(item);
    if (choice) {
      choices.push(choice);
    }
  }
  return choices;
}

function toChoice(item: unknown): Choice | undefined {
  if (typeof item === 'string') {
    return item === '' ? undefined : { value: item };
  }
  if (!item || typeof item !== 'object') {
    return undefined;
  }
  const o = item as Record<string, unknown>;
  const value = firstString(o.value);
  if (!value) {
    return undefined;
  }
  const label = firstString(o.label);
  const description = firstString(o.description);
  return {
    value,
    ...(label && label !== value ? { label } : {}),
    ...(description ? { description } : {}),
  };
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) {
    if (typeof v === 'string' && v !== '') {
      return v;
    }
  }
  return undefined;
}

/**
 * The message a failed resource or query request carries, written for the
 * user: the backend's own error text when it sent one (Grafana wraps it as
 * `data.message`; the exporter's bodies use `error`), else the HTTP status.
 */
export function errorMessage(err: unknown): string {
  if (typeof err === 'string') {
    return err;
  }
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    const data = e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>) : undefined;
    const fromBody = firstString(data?.message, data?.error);
    if (fromBody) {
      return fromBody;
    }
    const fromError = firstString(e.message);
    if (fromError) {
      return fromError;
    }
    if (typeof e.status === 'number') {
      const text = firstString(e.statusText);
      return text ? `request failed: ${e.status} ${text}` : `request failed with status ${e.status}`;
    }
  }
  return 'request failed';
}
