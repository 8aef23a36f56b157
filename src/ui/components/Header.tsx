import { Box, Text } from 'ink';
import type { HeaderView } from '../selectors.js';
import { TONE_COLOR } from './tones.js';

export interface HeaderProps {
  readonly view: HeaderView;
  readonly columns: number;
}

/** What runs, the scenario clock and phase, the broker; then the traffic; then the service processes, if any. */
export function Header({ view, columns }: HeaderProps) {
  const right = `${view.clock}  ${view.phase}  `;
  const room = Math.max(0, columns - 1 - right.length - view.broker.length);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>
          {view.title.length > room ? `${view.title.slice(0, Math.max(0, room - 2))}… ` : view.title.padEnd(room)}
        </Text>
        <Text>{right}</Text>
        <Text color={TONE_COLOR[view.brokerTone]}>{view.broker}</Text>
      </Text>
      <Text wrap="truncate">
        {view.traffic}
        {view.staleness ? <Text color="yellow">{`  (${view.staleness})`}</Text> : null}
      </Text>
      {view.processes ? (
        <Text wrap="truncate" color={TONE_COLOR[view.processes.tone]}>
          {view.processes.text}
        </Text>
      ) : null}
    </Box>
  );
}
