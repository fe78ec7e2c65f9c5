export { validateReport } from './validateReport.js';
export { formatReportTable, type FormatReportTableOptions } from './formatTable.js';
