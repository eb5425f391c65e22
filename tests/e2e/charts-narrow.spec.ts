// The trend charts (LineChart) on a phone at 320 CSS pixels, WCAG's reflow width, and on a desktop:
// an outside review found them cramped at 320 px (about 85 pixels of plot beside the lines' labels,
// two year labels out of eight). Every line chart of the pages that draw one must give most of its
// width to the plot, label at least every other year without two labels touching, name every line
// it draws, keep its text inside the chart, and leave nothing wider than the screen.
import { expect, test, type Page } from '@playwright/test';
import { builtRoutes, hydrated, overflowX } from './helpers';

const SCHOOL_PAGE = builtRoutes().find((r) => /^\/schools\/\d{6}$/.test(r));
const PAGES = ['/', '/council', '/transparency', ...(SCHOOL_PAGE ? [SCHOOL_PAGE] : [])];

interface ChartReport {
  chart: string;
  svgWidth: number;
  plotWidth: number;
  years: number;
  yearLabels: string[];
  overlaps: string[];
  outside: string[];
  drawnSeries: number;
  namedSeries: number;
  smallText: string[];
}

/** What each line chart on the page draws, measured in the page as laid out. */
function lineCharts(page: Page): Promise<ChartReport[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('main .line-chart svg[role="img"]')].map((svg) => {
      const box = svg.getBoundingClientRect();
      const chart = svg.closest('figure')?.getAttribute('aria-labelledby') ?? '';
      const texts = [...svg.querySelectorAll('text')]
        .map((t) => ({ t, b: t.getBoundingClientRect(), s: (t.textContent ?? '').trim() }))
        .filter(({ b, s }) => b.width > 0 && s !== '');
      const overlaps: string[] = [];
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
          const a = texts[i]!.b;
          const b = texts[j]!.b;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          // More than a pixel's overlap of two boxes (a glyph box's leading may touch the next line's).
          if (w > 1 && h > 1) overlaps.push(`"${texts[i]!.s}" and "${texts[j]!.s}"`);
        }
      }
      const outside = texts
        .filter(({ b }) => b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5)
        .map(({ s }) => s);
      // Year labels: the axis's text under the plot (the plot's grid lines end at its bottom).
      const grid = [...svg.querySelectorAll('line.grid')].map((l) => l.getBoundingClientRect());
      const plotBottom = Math.max(...grid.map((g) => g.bottom));
      const yearLabels = texts.filter(({ t, b }) => t.classList.contains('tick') && b.top > plotBottom).map(({ s }) => s);
      const years = new Set([...svg.querySelectorAll('g.series path.marker')].map((m) => m.getAttribute('data-year'))).size;
      const drawnSeries = [...svg.querySelectorAll('g.series')].filter((g) => g.querySelector('path.marker')).length;
      const namedSeries = svg.querySelectorAll('g.end-label, g.legend-item').length;
      const smallText = texts.filter(({ t }) => parseFloat(getComputedStyle(t).fontSize) < 12).map(({ s }) => s);
      return { chart, svgWidth: box.width, plotWidth: Math.max(0, ...grid.map((g) => g.width)), years, yearLabels, overlaps, outside, drawnSeries, namedSeries, smallText };
    })
  );
}

for (const width of [320, 1280]) {
  for (const path of PAGES) {
    test(`${path}: line charts readable at ${width} px`, async ({ browser }) => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(path);
      // Hydrated: the chart has measured its width (the prerender draws it for 720 px).
      await hydrated(page);
      await expect(page.locator('main .line-chart svg[role="img"]').first()).toBeVisible();
      const charts = await lineCharts(page);
      expect(charts.length).toBeGreaterThan(0);
      for (const c of charts) {
        const name = `${path} ${c.chart}`;
        // Most of the chart's width is plot: the review found a third.
        expect(c.plotWidth / c.svgWidth, `${name}: plot ${Math.round(c.plotWidth)} of ${Math.round(c.svgWidth)} px`).toBeGreaterThanOrEqual(0.6);
        // At least every other year labelled, the latest always, and no two labels touching.
        expect(c.yearLabels.length, `${name}: ${c.yearLabels.join(', ')}`).toBeGreaterThanOrEqual(Math.ceil(c.years / 2));
        expect(c.overlaps, name).toEqual([]);
        expect(c.outside, name).toEqual([]);
        expect(c.smallText, name).toEqual([]);
        // Every line drawn is named, beside it or in a legend.
        expect(c.namedSeries, name).toBe(c.drawnSeries);
        if (width === 1280) {
          // A desktop has room for every year, written in full.
          expect(c.yearLabels.length, name).toBe(c.years);
          for (const y of c.yearLabels) expect(y, name).toMatch(/^\d{4}\/\d{2}$/);
        }
      }
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      await context.close();
    });
  }
}

test('at 320 px a year label is shortened ("19/20"), and the chart still reads each year in full', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 320, height: 900 } });
  const page = await context.newPage();
  await page.goto('/');
  await hydrated(page);
  const chart = page.locator('main .line-chart').first();
  const labels = await chart.locator('svg text.tick').allTextContents();
  expect(labels.some((l) => /^\d{2}\/\d{2}$/.test(l))).toBe(true);
  // The lines are named in a legend under the plot, with their markers.
  await expect(chart.locator('g.legend-item')).not.toHaveCount(0);
  await expect(chart.locator('g.legend-item').first().locator('path.marker')).toHaveCount(1);
  // The keyboard readout names the year in full.
  await chart.locator('.plot').focus();
  await page.keyboard.press('End');
  await expect(chart.locator('.readout')).toContainText(/^\d{4}\/\d{2}\. /);
  await context.close();
});
