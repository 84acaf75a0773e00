import { useEffect, useState } from 'react';

import { Choice, errorMessage } from '../resources';

export interface ChoicesState {
  choices: Choice[];
  loading: boolean;
  /** The backend's error, written for the user, when loading failed. */
  error?: string;
}

const NOTHING: ChoicesState = { choices: [], loading: false };

/**
 * Loads an editor's choices from the backend whenever `key` changes (e.g. the
 * experiment whose metrics are listed). `load` undefined means there is
 * nothing to list yet. Each answer is tagged with the key it was asked for,
 * so a slow answer for an old key is never shown for the current one.
 */
export function useChoices(key: string, load: (() => Promise<Choice[]>) | undefined): ChoicesState {
  const [answer, setAnswer] = useState<ChoicesState & { key: string }>();
  const enabled = Boolean(load);

  useEffect(() => {
    if (!load) {
      return;
    }
    let current = true;
    load().then(
      (choices) => current && setAnswer({ key, choices, loading: false }),
      (err: unknown) => current && setAnswer({ key, choices: [], loading: false, error: errorMessage(err) })
    );
    return () => {
      current = false;
    };
    // `load` is a new closure on every render; `key` says when it means
    // something new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, enabled]);

  if (!load) {
    return NOTHING;
  }
  if (answer?.key !== key) {
    return { choices: [], loading: true };
  }
  return { choices: answer.choices, loading: false, error: answer.error };
}
