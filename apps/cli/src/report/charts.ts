import * as echarts from 'echarts';
import { html, raw, type RawHtml } from './escape.js';

/** The system font stack, also used inside the SVG charts (no web fonts: the report makes no requests). */
// Single quotes only: ZRender writes it unescaped into double-quoted SVG `style` attributes.
export const FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Liberation Sans', sans-serif";

export const INK = '#1f2733';
export const MUTED = '#667085';
export const GRID = '#e6e9ef';

/** An ECharts option object (`echarts.EChartsOption`). */
export type ChartOption = echarts.EChartsOption;

/** Shared axis look: light grid lines, muted labels. */
export const axisStyle = {
  axisLine: { lineStyle: { color: '#c5cad3' } },
  axisTick: { show: false },
  axisLabel: { color: MUTED, fontSize: 11 },
  splitLine: { lineStyle: { color: GRID } },
  nameTextStyle: { color: MUTED, fontSize: 11 },
} as const;

/**
 * Renders one ECharts option to a standalone SVG string on the server (no DOM, no scripts):
 * animation off, the system font stack, and the chart disposed whatever happens.
 */
export function renderChart(option: ChartOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: 'transparent',
      ...option,
      textStyle: { fontFamily: FONT_STACK, color: INK, ...(option.textStyle as object | undefined) },
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * Renumbers ZRender's process-global ids (`zr17-cls-342`, `url(#zr17-c0)`) in order of
 * appearance, so the document is the same whatever rendered before in the process and every id
 * stays unique within it. Only attribute values, `url(#…)` and CSS class selectors are touched.
 */
export function normalizeChartIds(document: string): string {
  const map = new Map<string, number>();
  return document.replace(/(class="|id="|url\(#|href="#|\.)(zr\d+-[\w-]+)/g, (_m, lead: string, token: string) => {
    let k = map.get(token);
    if (k === undefined) map.set(token, (k = map.size));
    return `${lead}qt-${k}`;
  });
}

/** A chart container: `data-chart`, a caption, and either the SVG or an explanatory note. */
export function chartFigure(name: string, title: string, caption: string, body: { svg: string } | { note: string }, className = ''): RawHtml {
  const content = 'svg' in body ? raw(`<div class="svg-wrap">${body.svg}</div>`) : html`<p class="note">${body.note}</p>`;
  return html`<figure class="chart ${className}" data-chart="${name}"><figcaption><strong>${title}</strong> <span>${caption}</span></figcaption>${content}</figure>`;
}

/** Runs a chart builder, turning any throw into a note: one broken chart never breaks the report. */
export function safeChart(build: () => { svg: string } | { note: string }): { svg: string } | { note: string } {
  try {
    return build();
  } catch (error) {
    return { note: `This chart could not be drawn: ${error instanceof Error ? error.message : String(error)}` };
  }
}
