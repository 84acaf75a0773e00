// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// @grafana/ui's Combobox sizes its menu with canvas measureText, which jsdom
// lacks (the scaffold's getContext stub returns undefined). An approximate
// width is enough for the editors' tests.
HTMLCanvasElement.prototype.getContext = () => ({
  measureText: (text) => ({ width: String(text).length * 7 }),
  font: '',
});

// Combobox's menu watches its scroll edges and size; jsdom has neither
// observer, and nothing in a test scrolls or resizes.
class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
global.IntersectionObserver = global.IntersectionObserver || NoopObserver;
global.ResizeObserver = global.ResizeObserver || NoopObserver;

// Combobox virtualises its option list (@tanstack/virtual) and renders only
// the rows that fit its scroll element's clientHeight; jsdom lays nothing out
// (every size is 0), so give elements a size that fits a short list.
for (const [prop, size] of [
  ['clientHeight', 300],
  ['clientWidth', 300],
  ['offsetHeight', 30],
  ['offsetWidth', 300],
]) {
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => size });
}
