import { Box, Text } from 'ink';

export interface SparkBlockProps {
  readonly rows: readonly { readonly label: string; readonly spark: string; readonly divergent: number }[];
}

/** Narrow terminals: divergence over time, one line per model, under the table. */
export function SparkBlock({ rows }: SparkBlockProps) {
  return (
    <Box flexDirection="column">
      <Text bold>divergence from the oracle over time</Text>
      {rows.map((r) => (
        <Text key={r.label} wrap="truncate">
          {`  ${r.label} `}
          <Text color={r.divergent > 0 ? 'red' : 'green'}>{r.spark}</Text>
        </Text>
      ))}
    </Box>
  );
}
