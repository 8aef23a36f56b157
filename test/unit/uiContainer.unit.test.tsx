import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import type { ControlAction, LiveControl } from '../../src/scenarios/telemetry.js';
import { DashboardContainer } from '../../src/ui/DashboardContainer.js';
import { createTelemetryFeed } from '../../src/ui/feed.js';
import { midFault, passed } from './uiFixtures.js';

// The one stateful component: it follows the feed, maps keys to live control, and follows the terminal's size.

function mount() {
  const feed = createTelemetryFeed(Date.now, 'flagship-summary-outage: starting…');
  const sent: ControlAction[] = [];
  const control: LiveControl = {
    send: (action) => {
      sent.push(action);
      return Promise.resolve(
        action.kind === 'pauseBroker'
          ? { ok: false, message: 'the broker is not ours to pause (NATS_URL)' }
          : { ok: true, message: `done: ${action.kind}` },
      );
    },
  };
  const onQuit = vi.fn();
  const r = render(<DashboardContainer feed={feed} onQuit={onQuit} refreshMs={10} />);
  return { feed, sent, control, onQuit, r, frame: () => r.lastFrame() ?? '' };
}

const press = async (r: ReturnType<typeof render>, input: string) => {
  r.stdin.write(input);
  await new Promise((resolve) => setTimeout(resolve, 30));
};

describe('DashboardContainer', () => {
  it('renders what the feed holds, first the wait, then each snapshot, then the verdict', async () => {
    const m = mount();
    expect(m.frame()).toContain('flagship-summary-outage: starting…');
    m.feed.push(midFault);
    await vi.waitFor(() => expect(m.frame()).toMatch(/› summary +stopped +56 +84 +0 +0 +0 +0/));
    m.feed.push({
      ...midFault,
      elapsedMs: 3_750,
      models: {
        ...midFault.models,
        'customer-order-summary': { ...midFault.models['customer-order-summary'], lagEvents: 230 },
      },
    });
    await vi.waitFor(() => expect(m.frame()).toContain('3.8 s / 8.0 s'));
    m.feed.finish(passed);
    await vi.waitFor(() => expect(m.frame()).toContain('verdict     PASS'));
    m.r.unmount();
  });

  it('sends live control for the selected model, says what came of it, and quits on q', async () => {
    const m = mount();
    m.feed.push(midFault);
    await press(m.r, 's');
    expect(m.sent).toEqual([]); // no control wired yet: keys that act do nothing
    m.feed.setControl(m.control);
    await vi.waitFor(() => expect(m.frame()).toContain('s start'));
    await press(m.r, 's'); // the summary is stopped: s starts it
    await vi.waitFor(() => expect(m.sent).toHaveLength(1));
    m.r.stdin.write('2');
    await press(m.r, 'b'); // right after the selection, before it is drawn
    await vi.waitFor(() => expect(m.sent).toHaveLength(2));
    await press(m.r, 'p');
    await vi.waitFor(() => expect(m.sent).toHaveLength(3));
    expect(m.sent).toEqual([
      { kind: 'startConsumer', target: 'customer-order-summary' },
      { kind: 'toggleBug', target: 'products' },
      { kind: 'pauseBroker' },
    ]);
    await vi.waitFor(() => expect(m.frame()).toContain('✗ the broker is not ours to pause (NATS_URL)'));
    expect(m.frame()).toMatch(/› products/);
    await press(m.r, 'q');
    await vi.waitFor(() => expect(m.onQuit).toHaveBeenCalledTimes(1));
    m.r.unmount();
  });

  it('lays itself out again when the terminal is resized', async () => {
    const m = mount();
    m.feed.push(midFault);
    await vi.waitFor(() => expect(m.frame()).toContain('divergence'));
    expect(m.frame()).not.toContain('divergence from the oracle over time'); // 100 columns: sparklines inline
    Object.defineProperty(m.r.stdout, 'columns', { value: 80, configurable: true });
    m.r.stdout.emit('resize');
    await vi.waitFor(() => expect(m.frame()).toContain('divergence from the oracle over time'));
    m.r.unmount();
  });
});
