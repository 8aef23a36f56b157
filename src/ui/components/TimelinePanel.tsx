import { Box, Text } from 'ink';
import type { TimelineWindow } from '../timelineView.js';
import { TONE_COLOR } from './tones.js';

export interface TimelinePanelProps {
  readonly window: TimelineWindow;
}

/** Faults and remediation steps against the scenario clock (or live actions against `up`'s): done, acting now, coming. */
export function TimelinePanel({ window }: TimelinePanelProps) {
  const hidden = [
    window.hiddenBefore > 0 ? `${window.hiddenBefore} earlier` : '',
    window.hiddenAfter > 0 ? `${window.hiddenAfter} later` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>{window.title}</Text>
        <Text color="gray">{` (${window.clock})${hidden ? ` · ${hidden} not shown` : ''}`}</Text>
      </Text>
      {window.rows.length === 0 ? <Text color="gray">{`  ${window.empty}`}</Text> : null}
      {window.rows.map((r, i) => (
        <Text key={`${i}:${r.label}`} wrap="truncate">
          {`${r.time} `}
          <Text color={TONE_COLOR[r.tone]}>{`${r.mark} ${r.label}`}</Text>
          <Text color="gray">{`  ${r.status}`}</Text>
        </Text>
      ))}
    </Box>
  );
}
