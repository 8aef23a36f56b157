import { Box, Text } from 'ink';
import type { ModelRow, NumberColumn } from '../selectors.js';
import { TONE_COLOR } from './tones.js';

export interface ModelTableProps {
  readonly header: string;
  readonly rows: readonly ModelRow[];
}

/** Buckets of divergence the model's lag does not explain: red when any is non-zero. */
const UNEXPLAINED: ReadonlySet<NumberColumn> = new Set(['miss', 'unexp', 'wrong', 'dup']);

/**
 * Per read model: consumer state, the divergence from the oracle (`stale`: not applied yet, yellow; lost, unexpected,
 * wrong, duplicated: red), lag, retries, and a sparkline.
 */
export function ModelTable({ header, rows }: ModelTableProps) {
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {header}
      </Text>
      {rows.map((r) => (
        <Text key={r.name} wrap="truncate">
          {r.selected ? '› ' : '  '}
          <Text bold={r.selected}>{r.label}</Text>
          <Text color={TONE_COLOR[r.tone]}>{r.state}</Text>
          {r.cells.map((c) => (
            <Text
              key={c.title}
              color={
                c.title === 'stale' && r.stale > 0
                  ? TONE_COLOR.warn
                  : UNEXPLAINED.has(c.title) && r.divergent > 0
                    ? TONE_COLOR.bad
                    : undefined
              }
            >
              {c.text}
            </Text>
          ))}
          {r.spark ? <Text color={TONE_COLOR[r.sparkTone]}>{` ${r.spark}`}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
