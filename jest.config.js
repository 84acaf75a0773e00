// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // The editors' tests drive @grafana/ui through many renders; on a shared
  // two-core CI machine one can take longer than jest's default 5 s. A test
  // that times out keeps typing into the next one, so the limit is generous.
  testTimeout: 30000,
  transform: {
    ...base.transform,
    // @grafana/data pulls in d3-color, which ships only `.mjs` files; the
    // scaffold's transform (`^.+\.(t|j)sx?$`) never matches them, so jest would
    // fail with "Unexpected token 'export'".
    '^.+\\.mjs$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } }],
  },
};
