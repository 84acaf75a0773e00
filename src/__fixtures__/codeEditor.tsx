/**
 * Grafana's CodeEditor loads Monaco at runtime, which jsdom cannot; tests
 * swap in a textarea that calls the same onBlur with the typed text.
 */
import React, { useState } from 'react';

interface Props {
  value: string;
  language: string;
  onBlur?: (value: string) => void;
}

export function FakeCodeEditor({ value, language, onBlur }: Props) {
  const [text, setText] = useState(value);
  return (
    <textarea
      aria-label={`code editor (${language})`}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={() => onBlur?.(text)}
    />
  );
}
