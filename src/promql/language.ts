import type { Monaco, monacoTypes } from '@grafana/ui';

/** The Monaco language id of the PromQL editor. */
export const PROMQL_LANGUAGE_ID = 'liftgate-promql';

// PromQL's vocabulary (prometheus/prometheus promql/parser/lex.go and
// functions.go), enough to colour an expression; the backend parses it.
export const AGGREGATIONS = [
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
];
export const KEYWORDS = [
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'atan2',
];
export const FUNCTIONS = [
  'abs',
  'absent',
  'absent_over_time',
  'avg_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'count_over_time',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'delta',
  'deriv',
  'exp',
  'floor',
  'histogram_avg',
  'histogram_count',
  'histogram_fraction',
  'histogram_quantile',
  'histogram_sum',
  'holt_winters',
  'hour',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'last_over_time',
  'ln',
  'log10',
  'log2',
  'max_over_time',
  'min_over_time',
  'minute',
  'month',
  'predict_linear',
  'present_over_time',
  'quantile_over_time',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sort',
  'sort_desc',
  'sqrt',
  'stddev_over_time',
  'stdvar_over_time',
  'sum_over_time',
  'time',
  'timestamp',
  'vector',
  'year',
];

/** A Monarch tokenizer that colours PromQL: names, functions, strings, durations, numbers. */
export const promqlMonarch: monacoTypes.languages.IMonarchLanguage = {
  ignoreCase: false,
  defaultToken: '',
  aggregations: AGGREGATIONS,
  keywords: KEYWORDS,
  functions: FUNCTIONS,
  tokenizer: {
    root: [
      [/#.*$/, 'comment'],
      [/"([^"\\]|\\.)*"/, 'string'],
      [/'([^'\\]|\\.)*'/, 'string'],
      [/`[^`]*`/, 'string'],
      // Durations inside [...] and after offset: 5m, 1h30m.
      [/\d+(ms|s|m|h|d|w|y)(\d+(ms|s|m|h|d|w|y))*/, 'number.duration'],
      [/\d+(\.\d+)?([eE][-+]?\d+)?/, 'number'],
      // Dashboard variables resolve before the backend sees the expression.
      [/\$\{[^}]+\}|\$\w+/, 'variable'],
      [
        /[a-zA-Z_:][\w:]*/,
        {
          cases: {
            '@aggregations': 'keyword',
            '@keywords': 'keyword',
            '@functions': 'predefined',
            '@default': 'identifier',
          },
        },
      ],
      [/=~|!~|!=|==|>=|<=|[=<>+\-*/%^]/, 'operator'],
      [/[{}()[\]]/, '@brackets'],
      [/[,;]/, 'delimiter'],
      [/\s+/, 'white'],
    ],
  },
};

export const promqlConfiguration: monacoTypes.languages.LanguageConfiguration = {
  comments: { lineComment: '#' },
  brackets: [
    ['{', '}'],
    ['[', ']'],
    ['(', ')'],
  ],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"' },
    { open: "'", close: "'" },
  ],
};

/**
 * Registers the PromQL language with Monaco once per Monaco instance: every
 * query editor on a dashboard calls this before mounting, and registering
 * twice would stack duplicate tokenizers.
 */
export function registerPromQL(monaco: Monaco): void {
  if (monaco.languages.getLanguages().some((l) => l.id === PROMQL_LANGUAGE_ID)) {
    return;
  }
  monaco.languages.register({ id: PROMQL_LANGUAGE_ID });
  monaco.languages.setMonarchTokensProvider(PROMQL_LANGUAGE_ID, promqlMonarch);
  monaco.languages.setLanguageConfiguration(PROMQL_LANGUAGE_ID, promqlConfiguration);
}
