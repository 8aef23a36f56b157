import { Box, Text } from 'ink';
import { PROPERTY_MARK, type PropertyItem, type Tone } from '../selectors.js';
import { TONE_COLOR } from './tones.js';

export interface PropertiesPanelProps {
  /** Items already packed into lines that fit the terminal. */
  readonly lines: readonly (readonly PropertyItem[])[];
  readonly verdict: { readonly text: string; readonly tone: Tone };
}

const TONE: Readonly<Record<PropertyItem['status'], Tone>> = { pending: 'muted', holds: 'ok', fails: 'bad' };

/** Each property's verdict as it becomes known, then the run's verdict. */
export function PropertiesPanel({ lines, verdict }: PropertiesPanelProps) {
  return (
    <Box flexDirection="column">
      {lines.map((items, i) => (
        <Text key={i} wrap="truncate">
          <Text bold>{i === 0 ? 'properties  ' : '            '}</Text>
          {items.map((p, j) => (
            // By position: a scenario may expect the same property twice (two `converges` bounds), and React
            // drops or duplicates children whose keys collide.
            <Text
              key={j}
              color={TONE_COLOR[TONE[p.status]]}
            >{`${j > 0 ? '  ' : ''}${PROPERTY_MARK[p.status]} ${p.name}`}</Text>
          ))}
        </Text>
      ))}
      <Text wrap="truncate">
        <Text bold>{'verdict     '}</Text>
        <Text color={TONE_COLOR[verdict.tone]}>{verdict.text}</Text>
      </Text>
    </Box>
  );
}
