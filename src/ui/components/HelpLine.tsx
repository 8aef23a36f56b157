import { Box, Text } from 'ink';
import type { Tone } from '../selectors.js';
import { TONE_COLOR } from './tones.js';

export interface HelpLineProps {
  readonly items: readonly string[];
  readonly message: { readonly text: string; readonly tone: Tone } | null;
}

/** The last control's outcome, and the keys. */
export function HelpLine({ items, message }: HelpLineProps) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" color={message ? TONE_COLOR[message.tone] : 'gray'}>
        {message?.text ?? ' '}
      </Text>
      <Text wrap="truncate" color="gray">
        {items.join('  ')}
      </Text>
    </Box>
  );
}
