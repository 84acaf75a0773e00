// Loads liftgate_exporter's landing page in Debian's chromium (headless,
// through playwright-core with executablePath: Playwright's own browser
// download is not available here) and checks that every metric of every
// experiment has a rendered forest plot. Prints a JSON summary on stdout and
// writes a full-page screenshot.
//
//   node landing.mjs URL SCREENSHOT.png
//
// Exit status: 0 when the page passes, 1 otherwise (the reason on stderr).
import { chromium } from 'playwright-core';

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error('usage: node landing.mjs URL SCREENSHOT.png');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
});
let failure = '';
const summary = { url, experiments: [], requests: [], consoleErrors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('request', (r) => summary.requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') summary.consoleErrors.push(m.text()); });
  const resp = await page.goto(url, { waitUntil: 'load' });
  summary.status = resp.status();
  summary.title = await page.title();

  for (const section of await page.locator('section.experiment').all()) {
    const exp = {
      id: await section.getAttribute('data-experiment'),
      decision: await section.locator('.badge').getAttribute('data-decision'),
      reasons: await section.locator('ul.reasons li').allInnerTexts(),
      metrics: [],
    };
    for (const metric of await section.locator('div.metric').all()) {
      const svg = metric.locator('svg.forest-plot');
      const box = (await svg.count()) === 1 ? await svg.boundingBox() : null;
      exp.metrics.push({
        name: await metric.getAttribute('data-metric'),
        svgs: await svg.count(),
        width: box ? box.width : 0,
        height: box ? box.height : 0,
        rows: await svg.locator('g.row').count(),
        estimates: await svg.locator('circle.estimate').count(),
        intervals: await svg.locator('line.interval').count(),
        verdicts: await svg.locator('g.row').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-verdict'))),
      });
    }
    summary.experiments.push(exp);
  }
  await page.screenshot({ path: screenshot, fullPage: true });

  const external = summary.requests.filter((r) => !r.startsWith(new URL(url).origin) && !r.startsWith('data:'));
  if (summary.status !== 200) failure = `status ${summary.status}`;
  else if (summary.experiments.length === 0) failure = 'no experiment sections';
  else if (external.length > 0) failure = `external requests: ${external.join(', ')}`;
  else if (summary.consoleErrors.length > 0) failure = `console errors: ${summary.consoleErrors.join('; ')}`;
  for (const e of summary.experiments) {
    for (const m of e.metrics) {
      if (m.svgs !== 1 || m.width < 100 || m.height < 20 || m.rows < 1) {
        failure ||= `experiment ${e.id} metric ${m.name}: forest plot missing or not rendered (${JSON.stringify(m)})`;
      }
    }
  }
} catch (err) {
  failure = String(err && err.stack || err);
} finally {
  await browser.close();
}
console.log(JSON.stringify(summary));
if (failure) {
  console.error(failure);
  process.exit(1);
}
