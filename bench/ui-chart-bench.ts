/**
 * Which chart library draws the dashboards' time series: uPlot or ECharts, measured in headless
 * Chromium on the case the issue names — one timeseries panel with 50 series × 1,000 points.
 *
 *   node --import tsx bench/ui-chart-bench.ts [--runs 7] [--chromium /usr/bin/chromium] [--write]
 *
 * `--write` puts the table, date, machine and command into bench/RESULTS.md (its own section).
 *
 * Each run opens a fresh page with only the library (its minified browser build from
 * node_modules), generates the data in the page (not timed), then measures:
 * - first render: creating the chart with the data until the next frame has been produced
 *   (requestAnimationFrame + a task), and the synchronous JavaScript part of it;
 * - re-render: replacing the data with new data of the same shape (what an auto refresh does),
 *   to the next frame, median of 10;
 * - resize: changing the chart's width (window resize, phone rotation), to the next frame,
 *   median of 10;
 * - hover: a mouse move over the plot (tooltip / cursor update), to the next frame, median of 20.
 * The table shows the median over runs. ECharts runs twice: as a dashboard would configure it
 * (no animation, no symbols) and additionally with LTTB down-sampling, its recommended setting
 * for large line series.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const RUNS = Number(arg('runs', '7'));
const WRITE = args.includes('--write');
const RESULTS_PATH = new URL('./RESULTS.md', import.meta.url);
const SECTION_BEGIN = '<!-- ui-chart-bench:begin -->';
const SECTION_END = '<!-- ui-chart-bench:end -->';
const CHROMIUM = arg('chromium', '/usr/bin/chromium');
const SERIES = 50;
const POINTS = 1000;

type Lib = 'uplot' | 'echarts' | 'echarts-lttb';

interface RunResult {
  firstRenderMs: number;
  firstRenderJsMs: number;
  rerenderMs: number;
  resizeMs: number;
  hoverMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The code that runs in the page (plain JavaScript: a string, so that neither the TypeScript
 * compiler nor tsx's transform touches it): builds the data, draws, measures.
 */
const PAGE_BENCH = String.raw`async ({ lib, series, points }) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const t0 = 1700000000;
  const makeData = (seed) => {
    const xs = Array.from({ length: points }, (_, i) => t0 + i * 15);
    const ys = Array.from({ length: series }, (_, s) => {
      let v = 50 + s * 3;
      return xs.map((_, i) => {
        v += Math.sin((i + seed) * 0.05 + s) * 2 + (((i * 7919 + s * 104729 + seed) % 100) / 100 - 0.5) * 3;
        return Math.round(v * 100) / 100;
      });
    });
    return { xs, ys };
  };
  const colors = ['#1f78c1', '#e0752d', '#3aa655', '#d6417a', '#7a5ec4', '#c9a400', '#19a3b3', '#8f5a2b'];
  const el = document.getElementById('chart');
  el.style.width = '1000px';
  el.style.height = '300px';
  const d0 = makeData(0);
  const variants = [makeData(1), makeData(2)];
  let render;
  let resize;
  const start = performance.now();
  if (lib === 'uplot') {
    const opts = {
      width: 1000,
      height: 300,
      legend: { show: false },
      scales: { x: { time: true } },
      series: [{}, ...d0.ys.map((_, i) => ({ label: 's' + i, stroke: colors[i % colors.length], width: 1 }))],
    };
    const u = new uPlot(opts, [d0.xs, ...d0.ys], el);
    render = (d) => u.setData([d.xs, ...d.ys]);
    resize = (width) => u.setSize({ width, height: 300 });
  } else {
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    const option = (d) => ({
      animation: false,
      grid: { left: 50, right: 10, top: 10, bottom: 30 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true },
      series: d.ys.map((ys, i) => ({
        type: 'line',
        name: 's' + i,
        showSymbol: false,
        lineStyle: { width: 1 },
        color: colors[i % colors.length],
        ...(lib === 'echarts-lttb' ? { sampling: 'lttb' } : {}),
        data: ys.map((y, j) => [d.xs[j] * 1000, y]),
      })),
    });
    chart.setOption(option(d0));
    render = (d) => chart.setOption(option(d));
    resize = (width) => {
      el.style.width = width + 'px';
      chart.resize();
    };
  }
  const jsDone = performance.now();
  await frame();
  const firstRenderMs = performance.now() - start;
  const firstRenderJsMs = jsDone - start;

  const rerender = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    render(variants[i % 2]);
    await frame();
    rerender.push(performance.now() - t);
  }
  const resizes = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    resize(i % 2 ? 1000 : 800);
    await frame();
    resizes.push(performance.now() - t);
  }
  resize(1000);
  await frame();
  // Hover: synthetic mouse moves across the plot area (uPlot's cursor, ECharts' axis tooltip).
  const target = el.querySelector('.u-over') || el.querySelector('canvas') || el;
  const box = target.getBoundingClientRect();
  const hovers = [];
  for (let i = 0; i < 20; i++) {
    const x = box.left + 60 + ((box.width - 120) * i) / 19;
    const y = box.top + box.height / 2;
    const t = performance.now();
    target.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
    await frame();
    hovers.push(performance.now() - t);
  }
  return { firstRenderMs, firstRenderJsMs, rerenderMs: median(rerender), resizeMs: median(resizes), hoverMs: median(hovers) };
}`;

async function main() {
  const uplotJs = require.resolve('uplot/dist/uPlot.iife.min.js', { paths: ['packages/web'] });
  const uplotCss = require.resolve('uplot/dist/uPlot.min.css', { paths: ['packages/web'] });
  const echartsJs = require.resolve('echarts/dist/echarts.min.js', { paths: ['packages/web'] });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const version = browser.version();
  const libs: Lib[] = ['uplot', 'echarts', 'echarts-lttb'];
  const results: Record<Lib, RunResult[]> = { uplot: [], echarts: [], 'echarts-lttb': [] };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const lib of libs) {
        const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, deviceScaleFactor: 1 });
        await page.setContent('<!doctype html><html><body style="margin:0"><div id="chart"></div></body></html>');
        if (lib === 'uplot') {
          await page.addStyleTag({ path: uplotCss });
          await page.addScriptTag({ path: uplotJs });
        } else {
          await page.addScriptTag({ path: echartsJs });
        }
        results[lib].push(
          await page.evaluate<RunResult>(`(${PAGE_BENCH})(${JSON.stringify({ lib, series: SERIES, points: POINTS })})`),
        );
        await page.close();
      }
      process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
    }
  } finally {
    await browser.close();
  }
  const names: Record<Lib, string> = {
    uplot: 'uPlot 1.6',
    echarts: 'ECharts 6 (no animation, no symbols)',
    'echarts-lttb': 'ECharts 6 + LTTB sampling',
  };
  const f = (n: number) => n.toFixed(1);
  const lines = [
    `Chromium ${version} headless (\`--disable-gpu\`: software rendering), ${SERIES} series × ${POINTS.toLocaleString('en')} points, ` +
      `a 1000×300 px chart, device pixel ratio 1; median of ${RUNS} runs, each in a fresh page; milliseconds.`,
    '',
    '| library | first render (to next frame) | of which JavaScript | re-render, new data (median of 10) | resize (median of 10) | hover: cursor / tooltip (median of 20) |',
    '|---|--:|--:|--:|--:|--:|',
  ];
  for (const lib of libs) {
    const r = results[lib];
    const m = (k: keyof RunResult) => f(median(r.map((x) => x[k])));
    lines.push(
      `| ${names[lib]} | ${m('firstRenderMs')} | ${m('firstRenderJsMs')} | ${m('rerenderMs')} | ${m('resizeMs')} | ${m('hoverMs')} |`,
    );
  }
  console.log(lines.join('\n'));
  if (WRITE) writeResults(section(lines));
}

function section(lines: string[]): string {
  const cpus = os.cpus();
  return [
    SECTION_BEGIN,
    '## Web UI chart library: uPlot vs ECharts (`bench/ui-chart-bench.ts`)',
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
    `- command: \`node --import tsx bench/ui-chart-bench.ts ${args.join(' ')}\``,
    '- what: the issue\'s case, one timeseries panel with 50 series × 1,000 points; "to next frame" is until',
    '  requestAnimationFrame + a task after the call, i.e. including layout and paint of that frame',
    '- decision: packages/web/README.md',
    '',
    ...lines,
    SECTION_END,
  ].join('\n');
}

function writeResults(text: string): void {
  let doc = readFileSync(RESULTS_PATH, 'utf8');
  const begin = doc.indexOf(SECTION_BEGIN);
  const end = doc.indexOf(SECTION_END);
  doc =
    begin >= 0 && end > begin
      ? doc.slice(0, begin) + text + doc.slice(end + SECTION_END.length)
      : `${doc.trimEnd()}\n\n${text}\n`;
  writeFileSync(RESULTS_PATH, doc);
}

await main();
