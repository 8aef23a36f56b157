import { Box, Text } from 'ink';
import type { Tone } from '../selectors.js';
import { TONE_COLOR } from './tones.js';

export interface SparkBlockProps {
  readonly rows: readonly { readonly label: string; readonly spark: string; readonly tone: Tone }[];
}

/** Narrow terminals: divergence over time, one line per model, under the table. */
export function SparkBlock({ rows }: SparkBlockProps) {
  return (
    <Box flexDirection="column">
      <Text bold>divergence from the oracle over time</Text>
      {rows.map((r) => (
        <Text key={r.label} wrap="truncate">
          {`  ${r.label} `}
          <Text color={TONE_COLOR[r.tone]}>{r.spark}</Text>
        </Text>
      ))}
    </Box>
  );
}
