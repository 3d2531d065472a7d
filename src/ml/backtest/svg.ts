/**
 * The backtest's chart as a hand-written SVG (no dependency): two panels over the evaluated period, one
 * line per strategy, weekly points: the single investor's 7-day annualised yield (%) and cumulative income
 * (CNY). Axes with ticks and labels, a legend, and a title that says the market is simulated.
 */
import type { BacktestReport, BacktestSeries } from './backtest';

const WIDTH = 960;
const HEIGHT = 760;
const LEFT = 90;
const RIGHT = 30;
const COLOURS = ['#1f77b4', '#2ca02c', '#ff7f0e', '#d62728', '#9467bd', '#8c564b'];
/** The last strategy is dashed, so two lines that coincide (switching and IIMMF for an investor) both show. */
const DASHES = ['', '', '', ' stroke-dasharray="6 4"'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Round tick steps (1, 2, 2.5 or 5 × 10^k) giving about `count` ticks over [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

interface Panel {
  readonly id: string;
  readonly title: string;
  readonly top: number;
  readonly height: number;
  readonly values: (s: BacktestSeries['strategies'][number]) => number[];
  readonly label: (v: number) => string;
}

export function renderBacktestSvg(series: BacktestSeries, report: Pick<BacktestReport, 'seed' | 'evaluation' | 'market' | 'investorCny'>): string {
  const x0 = dayNumber(report.evaluation.from);
  const x1 = dayNumber(report.evaluation.to);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (date: string) => LEFT + ((dayNumber(date) - x0) / Math.max(1, x1 - x0)) * plotWidth;
  const investor = `single investor, ${report.investorCny.toLocaleString('en')} CNY`;
  const panels: Panel[] = [
    { id: 'panel-yield', title: `7-day annualised yield, % (${investor})`, top: 130, height: 240, values: (s) => s.sevenDayYieldPct, label: (v) => `${v}` },
    {
      id: 'panel-income',
      title: `Cumulative income, CNY (${investor})`,
      top: 450,
      height: 250,
      values: (s) => s.cumulativeIncomeCny,
      label: (v) => (Math.abs(v) >= 1000 ? `${(v / 1000).toLocaleString('en')}k` : `${v}`),
    },
  ];
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
  );
  const seed = report.seed === null ? '' : `seed ${String(report.seed)}, `;
  out.push(`<title>IFW backtest on a simulated market (${escapeXml(seed)}${report.evaluation.from} to ${report.evaluation.to})</title>`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(
    `<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="17" font-weight="bold">IFW backtest on a simulated market: strategies side by side</text>`,
  );
  out.push(
    `<text x="${WIDTH / 2}" y="48" text-anchor="middle" fill="#a00">SIMULATED market (${escapeXml(seed)}${report.market.funds} funds), not real fund data; ${report.evaluation.from} to ${report.evaluation.to}, walk-forward, no look-ahead</text>`,
  );
  // Legend: two columns.
  series.strategies.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length]!;
    const lx = LEFT + (k % 2) * 420;
    const ly = 68 + Math.floor(k / 2) * 18;
    out.push(
      `<g class="legend-item"><line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${colour}" stroke-width="3"${DASHES[k % DASHES.length]}/>` +
        `<text x="${lx + 34}" y="${ly + 4}">${escapeXml(s.label)}</text></g>`,
    );
  });

  const years: string[] = [];
  for (let y = Number(report.evaluation.from.slice(0, 4)); y <= Number(report.evaluation.to.slice(0, 4)) + 1; y += 1) {
    const date = `${y}-01-01`;
    if (dayNumber(date) >= x0 && dayNumber(date) <= x1) years.push(date);
  }

  for (const panel of panels) {
    const all = series.strategies.flatMap((s) => panel.values(s)).filter((v) => Number.isFinite(v));
    let min = Math.min(...all);
    let max = Math.max(...all);
    if (panel.id === 'panel-income') min = Math.min(0, min);
    if (!(max > min)) max = min + 1;
    const ticks = niceTicks(min, max);
    min = Math.min(min, ticks[0]!);
    max = Math.max(max, ticks[ticks.length - 1]!);
    const y = (v: number) => panel.top + panel.height - ((v - min) / (max - min)) * panel.height;
    out.push(`<g id="${panel.id}">`);
    out.push(`<text x="${LEFT}" y="${panel.top - 12}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);
    // Grid and y axis.
    for (const tick of ticks) {
      const ty = fmt(y(tick));
      out.push(`<line x1="${LEFT}" y1="${ty}" x2="${WIDTH - RIGHT}" y2="${ty}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${LEFT - 8}" y="${fmt(y(tick) + 4)}" text-anchor="end">${escapeXml(panel.label(tick))}</text>`);
    }
    out.push(`<line x1="${LEFT}" y1="${panel.top}" x2="${LEFT}" y2="${panel.top + panel.height}" stroke="#333"/>`);
    out.push(`<line x1="${LEFT}" y1="${panel.top + panel.height}" x2="${WIDTH - RIGHT}" y2="${panel.top + panel.height}" stroke="#333"/>`);
    // x axis: years.
    for (const date of years) {
      const tx = fmt(x(date));
      out.push(`<line x1="${tx}" y1="${panel.top + panel.height}" x2="${tx}" y2="${panel.top + panel.height + 5}" stroke="#333"/>`);
      out.push(`<text x="${tx}" y="${panel.top + panel.height + 18}" text-anchor="middle">${date.slice(0, 4)}</text>`);
    }
    out.push(
      `<text x="${LEFT - 62}" y="${panel.top + panel.height / 2}" text-anchor="middle" transform="rotate(-90 ${LEFT - 62} ${panel.top + panel.height / 2})">${panel.id === 'panel-yield' ? '% a year' : 'CNY'}</text>`,
    );
    // Lines.
    series.strategies.forEach((s, k) => {
      const values = panel.values(s);
      const points: string[] = [];
      values.forEach((v, i) => {
        if (Number.isFinite(v)) points.push(`${fmt(x(series.dates[i]!))},${fmt(y(v))}`);
      });
      out.push(
        `<polyline class="series" data-strategy="${escapeXml(s.name)}" fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="1.4"${DASHES[k % DASHES.length]} points="${points.join(' ')}"/>`,
      );
    });
    out.push(`</g>`);
  }
  out.push(`<text x="${LEFT}" y="${HEIGHT - 14}" fill="#555">Weekly points. Data: src/ml/market simulator (seeded); see docs/backtest.md. Not investment advice; no real fund is depicted.</text>`);
  out.push(`</svg>`);
  return `${out.join('\n')}\n`;
}
