export { renderHtmlReport } from './renderHtmlReport.js';
export { writeHtmlReport } from './writeHtmlReport.js';
export { renderChart } from './charts.js';
export { escapeHtml } from './escape.js';
export { RUN_REPORT_SCHEMA_ID } from './types.js';
export type { HistoryEntry, Method, MethodRun, MethodSummary, RunReport, ScheduleSample, WeightHistogram } from './types.js';
