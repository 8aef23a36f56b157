import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tableHeader, tableLayout } from '../../src/ui/selectors.js';
import { headingSlug, linkProblems } from '../helpers/markdownLinks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}/README.md`, 'utf8');

describe('README.md stands alone in any clone', () => {
  it('has no link or path leaving the repository, no relative link to a missing file, no dangling anchor', () => {
    expect(linkProblems(readme, root)).toEqual([]);
  });

  it('describes the article’s design itself, naming the article by its title only', () => {
    expect(readme).toContain('*CQRS in an e-commerce system*');
    expect(readme).not.toMatch(/cqrs-article\.md|shared\/reference/);
    for (const part of [
      '`orders` and `order_items`',
      'OrderPlaced',
      'InventoryUpdated',
      '`ProductInventory`',
      '`Products` read model',
      '`CustomerOrderSummary` read model',
    ]) {
      expect(readme).toContain(part);
    }
    for (const endpoint of ['POST /orders', 'GET /inventory/products/:productId', 'GET /customer/:customerId/orders'])
      expect(readme).toContain(endpoint);
  });
});

describe('the flagship, its dashboard and the README say the same thing', () => {
  const flagship = readFileSync(`${root}/scenarios/flagship-summary-outage.yaml`, 'utf8');
  const dashboardSection = readme.slice(readme.indexOf('## Dashboard'), readme.indexOf('**Keys**'));

  it('an outage makes a read model stale, not wrong: in the scenario’s lesson, the README and the dashboard’s columns', () => {
    expect(/^teaches: (.*)$/m.exec(flagship)?.[1]).toMatch(/stale .*not wrong/);
    expect(tableHeader(tableLayout(100))).toMatch(/ stale /);
    expect(dashboardSection.replace(/\s+/g, ' ')).toContain('an outage makes a read model stale, not wrong');
  });

  it('the README’s dashboard sample has the table header the dashboard draws at 100 columns', () => {
    expect(dashboardSection).toContain(`\n${tableHeader(tableLayout(100)).trimEnd()}\n`);
  });
});

describe('linkProblems', () => {
  it('flags the link the README used to open with, and paths that climb out or start at a machine root', () => {
    const md = [
      'It runs the design from [the reference article](../shared/reference/cqrs-article.md) — an order service',
      'see /work/shared/STYLE.md or `../elsewhere/file.ts`',
    ].join('\n');
    expect(linkProblems(md, root)).toEqual([
      { line: 1, target: '../shared/reference/cqrs-article.md', problem: 'leaves the repository' },
      { line: 1, target: '../shared/reference/cqrs-article.md', problem: 'leaves the repository' },
      { line: 2, target: '/work/shared/STYLE.md', problem: 'leaves the repository' },
      { line: 2, target: '../elsewhere/file.ts', problem: 'leaves the repository' },
    ]);
  });

  it('flags relative links to missing files, dangling anchors and backticked repository paths that do not exist', () => {
    const md = [
      '## Scenarios: `cqrs-testbed run` and `list`',
      '[ok](scenarios/flagship-summary-outage.yaml) [gone](scenarios/nope.yaml) [here](#scenarios-cqrs-testbed-run-and-list) [there](#nowhere)',
      '`src/ui/selectors.ts` and `src/ui/gone.ts`; placeholders like `src/<dir>/` are not paths; [web](https://example.com/x)',
      '```sh',
      '[not a link in code](missing.md)',
      '```',
    ].join('\n');
    expect(linkProblems(md, root)).toEqual([
      { line: 2, target: 'scenarios/nope.yaml', problem: 'no such file in the repository' },
      { line: 2, target: '#nowhere', problem: 'no heading has this anchor' },
      { line: 3, target: 'src/ui/gone.ts', problem: 'no such file in the repository' },
    ]);
  });

  it('makes anchors the way GitHub does', () => {
    expect(headingSlug('Dashboard: `run --ui` and `dashboard`')).toBe('dashboard-run---ui-and-dashboard');
    expect(headingSlug('`cqrs-testbed up`')).toBe('cqrs-testbed-up');
    expect(headingSlug('Where the time goes, and what bounds the missed targets')).toBe(
      'where-the-time-goes-and-what-bounds-the-missed-targets',
    );
  });
});
