export { renderEvaluationHtmlReport, renderHtmlReport } from './renderHtmlReport.js';
export { writeEvaluationHtmlReport, writeHtmlReport } from './writeHtmlReport.js';
export { runReportOfEvaluation } from './evaluationReport.js';
export { renderChart } from './charts.js';
export { escapeHtml } from './escape.js';
export { RUN_REPORT_SCHEMA_ID, RUN_REPORT_SCHEMA_ID_V1 } from './types.js';
export { upgradeRunReport } from './upgrade.js';
export type {
  Comparison,
  DropSource,
  HistoryEntry,
  Interval,
  Method,
  MethodRun,
  MethodSummary,
  RunReport,
  RunReportV1,
  ScheduleSample,
  SeedResult,
  WeightHistogram,
} from './types.js';
