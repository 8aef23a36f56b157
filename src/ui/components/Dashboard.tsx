import { Box, Text } from 'ink';
import type { ReadModelName } from '../../domain/readModels.js';
import type { Telemetry } from '../../scenarios/telemetry.js';
import { packLines } from '../format.js';
import type { History } from '../history.js';
import { helpItems } from '../keys.js';
import { dashboardLayout } from '../layout.js';
import {
  headerView,
  modelRows,
  propertyItems,
  tableHeader,
  verdictView,
  SHORT_NAMES,
  type FinalReport,
  type Tone,
} from '../selectors.js';
import { timelineWindow } from '../timelineView.js';
import { Header } from './Header.js';
import { HelpLine } from './HelpLine.js';
import { ModelTable } from './ModelTable.js';
import { PropertiesPanel } from './PropertiesPanel.js';
import { SparkBlock } from './SparkBlock.js';
import { TimelinePanel } from './TimelinePanel.js';

export interface DashboardProps {
  readonly telemetry: Telemetry | undefined;
  readonly history: History;
  readonly report?: FinalReport;
  readonly selected: ReadModelName;
  readonly message: { readonly text: string; readonly tone: Tone } | null;
  /** Keys that act on the system are live. */
  readonly canControl: boolean;
  readonly columns: number;
  readonly rows: number;
  /** Real time since the last snapshot arrived (the attached dashboard's link may be down). */
  readonly noDataForMs?: number;
  /** Shown until the first snapshot: what we are waiting for. */
  readonly waiting?: string;
}

const Gap = ({ on }: { readonly on: boolean }) => (on ? <Text> </Text> : null);

/** The whole screen, laid out to fit `columns` × `rows`: a pure function of what the container hands it. */
export function Dashboard(props: DashboardProps) {
  const { telemetry: t, history, report, selected, columns, rows } = props;
  const keyCtx = { selected, telemetry: t, canControl: props.canControl && !report };
  if (!t) {
    return (
      <Box flexDirection="column">
        <Text bold>cqrs-testbed</Text>
        <Text color="gray">{props.waiting ?? 'waiting for the first telemetry…'}</Text>
        <HelpLine items={helpItems({ ...keyCtx, canControl: false }, false)} message={props.message} />
      </Box>
    );
  }
  const properties = propertyItems(t, report);
  const propertyLines =
    properties.length === 0
      ? []
      : packLines(
          properties.map((p) => `x ${p.name}`),
          columns - 1,
          12,
        );
  const packed = propertyLines.reduce<(typeof properties)[]>((acc, line) => {
    const start = acc.reduce((n, l) => n + l.length, 0);
    return [...acc, properties.slice(start, start + line.length)];
  }, []);
  // The processes line of the header (the processes topology) takes a line like a property line does.
  const headerExtra = t.processes && t.processes.length > 0 ? 1 : 0;
  const layout = dashboardLayout({ columns, rows }, packed.length + headerExtra, t.timeline.length);
  const table = layout.table;
  const sparkWidth = table.sparkWidth > 0 ? table.sparkWidth - 1 : layout.sparkBlock ? columns - 14 : 0;
  const modelList = modelRows(t, history, table, selected, report, sparkWidth);
  return (
    <Box flexDirection="column" width={columns}>
      <Header view={headerView(t, history, columns, report, props.noDataForMs)} columns={columns} />
      <Gap on={layout.spacing} />
      <ModelTable
        header={tableHeader(table)}
        rows={modelList.map((r) => (table.sparkWidth > 0 ? r : { ...r, spark: '' }))}
      />
      {layout.sparkBlock ? (
        <SparkBlock
          rows={modelList.map((r) => ({ label: SHORT_NAMES[r.name].padEnd(10), spark: r.spark, tone: r.sparkTone }))}
        />
      ) : null}
      <Gap on={layout.spacing} />
      <TimelinePanel window={timelineWindow(t.timeline, layout.timelineRows, t.elapsedMs, t.source)} />
      <Gap on={layout.spacing} />
      <PropertiesPanel lines={packed} verdict={verdictView(t, report)} />
      <Gap on={layout.spacing} />
      <HelpLine items={helpItems(keyCtx, report !== undefined)} message={props.message} />
    </Box>
  );
}
