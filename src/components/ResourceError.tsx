import React from 'react';
import { Alert } from '@grafana/ui';

interface Props {
  /** What was being loaded, e.g. "experiments". */
  what: string;
  error?: string;
}

/** The backend's error for a list an editor needed, shown where the list is used. */
export function ResourceError({ what, error }: Props) {
  if (!error) {
    return null;
  }
  return (
    <Alert severity="error" title={`Could not load ${what}`}>
      {error}
    </Alert>
  );
}
