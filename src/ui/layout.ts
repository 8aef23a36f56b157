import { tableLayout, type TableLayout } from './selectors.js';

/** How the dashboard uses a terminal of a given size. */
export interface DashboardLayout {
  readonly columns: number;
  readonly table: TableLayout;
  /** The narrow table has no sparkline column: a block of one sparkline per model follows it, when it fits. */
  readonly sparkBlock: boolean;
  /** Blank lines between sections, when they fit. */
  readonly spacing: boolean;
  readonly timelineRows: number;
}

/** Lines that are always there: header 2, table 4, timeline title 1, verdict 1, message 1, help 1. */
const FIXED_LINES = 10;
const SPARK_BLOCK_LINES = 4;
const SPACING_LINES = 4;

/**
 * Fits the dashboard in `rows - 1` lines: ink redraws the whole screen (flicker) once its output reaches the
 * terminal's height. What gives way first: timeline rows beyond three, the blank lines, the sparkline block.
 */
export function dashboardLayout(
  size: { readonly columns: number; readonly rows: number },
  propertyLines: number,
  timelineEntries: number,
): DashboardLayout {
  const table = tableLayout(size.columns);
  const wanted = Math.max(1, timelineEntries);
  let avail = size.rows - 1 - FIXED_LINES - propertyLines;
  let timelineRows = Math.min(wanted, 3);
  avail -= timelineRows;
  const sparkBlock = table.narrow && avail >= SPARK_BLOCK_LINES;
  if (sparkBlock) avail -= SPARK_BLOCK_LINES;
  const spacing = avail >= SPACING_LINES;
  if (spacing) avail -= SPACING_LINES;
  if (avail > 0) timelineRows += Math.min(avail, wanted - timelineRows);
  if (avail < 0) timelineRows = Math.max(1, timelineRows + avail);
  return { columns: size.columns, table, sparkBlock, spacing, timelineRows };
}
