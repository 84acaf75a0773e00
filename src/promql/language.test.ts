import type { Monaco } from '@grafana/ui';

import { PROMQL_LANGUAGE_ID, promqlMonarch, registerPromQL } from './language';

type Rule = [RegExp, string | { cases: Record<string, string> }];

/**
 * A small stand-in for Monaco's Monarch lexer over the grammar's root state:
 * at each position the first rule whose regex matches there wins, and
 * "@list" cases look the word up in the grammar's lists. Enough to check the
 * grammar classifies PromQL the way a reader would.
 */
function tokenize(text: string): Array<[string, string]> {
  const grammar = promqlMonarch as unknown as Record<string, string[]> & { tokenizer: { root: Rule[] } };
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < text.length) {
    let matched = false;
    for (const [regex, action] of grammar.tokenizer.root) {
      const m = new RegExp(`^(?:${regex.source})`).exec(text.slice(i));
      if (!m || m[0] === '') {
        continue;
      }
      let token: string;
      if (typeof action === 'string') {
        token = action;
      } else {
        const hit = Object.entries(action.cases).find(
          ([test]) => test !== '@default' && grammar[test.slice(1)]?.includes(m[0])
        );
        token = hit ? hit[1] : action.cases['@default'];
      }
      if (token !== 'white') {
        out.push([m[0], token]);
      }
      i += m[0].length;
      matched = true;
      break;
    }
    if (!matched) {
      throw new Error(`no rule matches at ${i}: ${text.slice(i)}`);
    }
  }
  return out;
}

describe('PromQL highlighting', () => {
  it('tells functions, aggregations, metric names, label matchers, durations and numbers apart', () => {
    expect(
      tokenize('histogram_quantile(0.99, sum by (le) (rate(http_duration_seconds_bucket{code=~"5.."}[5m])))')
    ).toEqual([
      ['histogram_quantile', 'predefined'],
      ['(', '@brackets'],
      ['0.99', 'number'],
      [',', 'delimiter'],
      ['sum', 'keyword'],
      ['by', 'keyword'],
      ['(', '@brackets'],
      ['le', 'identifier'],
      [')', '@brackets'],
      ['(', '@brackets'],
      ['rate', 'predefined'],
      ['(', '@brackets'],
      ['http_duration_seconds_bucket', 'identifier'],
      ['{', '@brackets'],
      ['code', 'identifier'],
      ['=~', 'operator'],
      ['"5.."', 'string'],
      ['}', '@brackets'],
      ['[', '@brackets'],
      ['5m', 'number.duration'],
      [']', '@brackets'],
      [')', '@brackets'],
      [')', '@brackets'],
      [')', '@brackets'],
    ]);
  });

  it('colours comments, dashboard variables, offsets and escaped quotes', () => {
    expect(tokenize('up{job="$job"} offset 1h30m # scrape health')).toEqual([
      ['up', 'identifier'],
      ['{', '@brackets'],
      ['job', 'identifier'],
      ['=', 'operator'],
      ['"$job"', 'string'],
      ['}', '@brackets'],
      ['offset', 'keyword'],
      ['1h30m', 'number.duration'],
      ['# scrape health', 'comment'],
    ]);
    expect(tokenize('a{l="x\\"y"} / $denominator')).toEqual([
      ['a', 'identifier'],
      ['{', '@brackets'],
      ['l', 'identifier'],
      ['=', 'operator'],
      ['"x\\"y"', 'string'],
      ['}', '@brackets'],
      ['/', 'operator'],
      ['$denominator', 'variable'],
    ]);
  });
});

describe('registerPromQL', () => {
  function fakeMonaco() {
    const languages: Array<{ id: string }> = [{ id: 'json' }];
    const monaco = {
      languages: {
        getLanguages: () => languages,
        register: jest.fn((l: { id: string }) => languages.push(l)),
        setMonarchTokensProvider: jest.fn(),
        setLanguageConfiguration: jest.fn(),
      },
    };
    return monaco;
  }

  it('registers the language with its tokenizer once, however many editors mount', () => {
    const monaco = fakeMonaco();
    registerPromQL(monaco as unknown as Monaco);
    registerPromQL(monaco as unknown as Monaco);
    expect(monaco.languages.register).toHaveBeenCalledTimes(1);
    expect(monaco.languages.register).toHaveBeenCalledWith({ id: PROMQL_LANGUAGE_ID });
    expect(monaco.languages.setMonarchTokensProvider).toHaveBeenCalledTimes(1);
    expect(monaco.languages.setMonarchTokensProvider).toHaveBeenCalledWith(PROMQL_LANGUAGE_ID, promqlMonarch);
    expect(monaco.languages.setLanguageConfiguration).toHaveBeenCalledTimes(1);
  });
});
