/**
 * Test harness: renders a query editor the way Grafana does, holding the
 * query in state so successive edits build on each other, and records every
 * query the editor produced.
 */
import React, { ComponentType, useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { DataSource } from '../datasource';
import { LiftgateQuery } from '../types';

interface EditorProps {
  datasource: DataSource;
  query: LiftgateQuery;
  onChange: (q: LiftgateQuery) => void;
  onRunQuery: () => void;
}

export function renderEditor(Editor: ComponentType<EditorProps>, datasource: DataSource, initial: LiftgateQuery) {
  const onChange = jest.fn<void, [LiftgateQuery]>();
  const onRunQuery = jest.fn();
  function Harness() {
    const [query, setQuery] = useState(initial);
    return (
      <Editor
        datasource={datasource}
        query={query}
        onChange={(q) => {
          onChange(q);
          setQuery(q);
        }}
        onRunQuery={onRunQuery}
      />
    );
  }
  const user = userEvent.setup({ delay: null });
  const utils = render(<Harness />);
  const lastQuery = () => onChange.mock.calls[onChange.mock.calls.length - 1]?.[0];
  return { ...utils, user, onChange, onRunQuery, lastQuery };
}

/** The labels of the options a combobox offers once opened. */
export async function openOptions(user: ReturnType<typeof userEvent.setup>, input: HTMLElement): Promise<string[]> {
  await open(user, input);
  const options = await screen.findAllByRole('option');
  return options.map((o) => o.textContent ?? '');
}

/** Opens a combobox and picks the option whose label starts with `label`. */
export async function choose(user: ReturnType<typeof userEvent.setup>, input: HTMLElement, label: string) {
  await open(user, input);
  const options = await screen.findAllByRole('option');
  const option = options.find((o) => (o.textContent ?? '').startsWith(label));
  if (!option) {
    throw new Error(`no option "${label}" among ${options.map((o) => o.textContent).join(', ')}`);
  }
  await user.click(option);
}

// Clicking an open combobox closes it; open it only if it is closed.
async function open(user: ReturnType<typeof userEvent.setup>, input: HTMLElement) {
  if (input.getAttribute('aria-expanded') !== 'true') {
    await user.click(input);
  }
}
