import { Box, Text } from 'ink';
import type { ModelRow } from '../selectors.js';
import { TONE_COLOR } from './tones.js';

export interface ModelTableProps {
  readonly header: string;
  readonly rows: readonly ModelRow[];
}

/** Per read model: consumer state, the divergence buckets against the oracle, lag, retries, and a sparkline. */
export function ModelTable({ header, rows }: ModelTableProps) {
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">{header}</Text>
      {rows.map((r) => {
        const [ok, ...rest] = r.cells;
        const buckets = rest.slice(0, 4);
        const after = rest.slice(4);
        return (
          <Text key={r.name} wrap="truncate">
            {r.selected ? '› ' : '  '}
            <Text bold={r.selected}>{r.label}</Text>
            <Text color={TONE_COLOR[r.tone]}>{r.state}</Text>
            {ok}
            <Text color={r.divergent > 0 ? 'red' : undefined}>{buckets.join('')}</Text>
            {after.join('')}
            {r.spark ? <Text color={r.divergent > 0 ? 'red' : 'green'}>{` ${r.spark}`}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
