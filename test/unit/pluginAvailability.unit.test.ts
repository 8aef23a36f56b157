import { describe, expect, it } from 'vitest';
import type { ProjectionPlugin } from '../../src/plugins/projectionPlugin.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { availabilityFromPlugin } from '../../src/system/pluginWiring.js';

// The inventory service's check asks a ProductInventory plug-in for one product per order line: through its
// `available` when it has one (one row), through `readState` (the whole model) only when it has none.

function plugin(withAvailable: boolean, calls: string[]): ProjectionPlugin<'product-inventory'> {
  return {
    target: 'product-inventory',
    mode: 'self-managed',
    setup: () => undefined,
    reset: () => undefined,
    handle: () => undefined,
    readState: () => {
      calls.push('readState');
      return new Map([['prod_a', 3]]);
    },
    ...(withAvailable
      ? { available: (_db: unknown, id: string) => (calls.push(`available ${id}`), id === 'prod_a' ? 3 : undefined) }
      : {}),
  };
}

describe('availabilityFromPlugin', () => {
  it('asks `available` for the one product when the plug-in has it, and never reads the whole model', () => {
    const calls: string[] = [];
    const availability = availabilityFromPlugin(plugin(true, calls), openDatabase(':memory:'));
    expect([availability('prod_a'), availability('prod_zz')]).toEqual([3, undefined]);
    expect(calls).toEqual(['available prod_a', 'available prod_zz']);
  });

  it('falls back to `readState` without it', () => {
    const calls: string[] = [];
    const availability = availabilityFromPlugin(plugin(false, calls), openDatabase(':memory:'));
    expect([availability('prod_a'), availability('prod_zz')]).toEqual([3, undefined]);
    expect(calls).toEqual(['readState', 'readState']);
  });
});
