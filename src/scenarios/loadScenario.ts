import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  parseDocument,
  type Document,
  type YAMLError,
} from 'yaml';
import { ID_PATTERN } from '../domain/limits.js';
import { err, ok, type Result } from '../domain/result.js';
import type { ExpectationSpec, FaultSpec, RemediationSpec, Scenario, SystemSpec, WorkloadSpec } from './scenario.js';
import {
  FAULT_DEFAULTS,
  SCENARIO_DEFAULTS,
  SCENARIO_FILE_BYTES_MAX,
  SCENARIO_NAME_PATTERN,
  SCENARIO_SCHEMA,
  UNION_TAG_KEYS,
  type JsonSchema,
} from './scenarioSchema.js';

// Longer than the ~200 lines STYLE.md suggests: parsing, error explanation and cross-field checks of one file format
// belong together, and each function stays short.

/** One problem with a scenario file. `path` is JSON-path-like (`faults[2].durationMs`), '' for the whole file. */
export interface ScenarioError {
  readonly file: string;
  readonly path: string;
  readonly message: string;
  /** 1-based position in the file, where the problem could be located. */
  readonly line?: number;
  readonly column?: number;
}

type ScenarioResult = Result<Scenario, ScenarioError[]>;
type Segment = string | number;
interface Problem {
  readonly segments: readonly Segment[];
  readonly message: string;
}

/** Aliases a scenario may use; a billion-laughs file exceeds it long before it exhausts memory. */
const ALIASES_MAX = 100;
/** Nesting of `[`/`{` and `- - -` a scenario may use: yaml's parser is quadratic in it (100k `[` exhaust memory). */
const NESTING_MAX = 64;
/** A file with more problems than this is probably not a scenario file; the rest are summarised. */
const ERRORS_MAX = 20;

/** The YAML file as written: the TS shape of a scenario with the defaulted fields optional. */
interface ScenarioFile {
  readonly name: string;
  readonly description: string;
  readonly teaches: string;
  readonly seed?: number;
  readonly timeoutMs?: number;
  readonly system?: Partial<Omit<SystemSpec, 'consumer'>> & { readonly consumer?: Partial<SystemSpec['consumer']> };
  readonly projections?: Scenario['projections'];
  readonly crashPoints?: Scenario['crashPoints'];
  readonly workload: Partial<WorkloadSpec> & Pick<WorkloadSpec, 'durationMs' | 'ordersPerSecond'>;
  readonly faults?: readonly FaultSpec[];
  readonly remediation?: readonly RemediationSpec[];
  readonly expect: readonly ExpectationSpec[];
}

let validator: ValidateFunction | undefined;
// Compiled on first use; `strict` makes a mistake in the schema itself throw here rather than pass silently.
const validateShape = (): ValidateFunction =>
  (validator ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(SCENARIO_SCHEMA));

/** Parses and validates scenario YAML; every problem found is returned, each once, with its path. */
export function parseScenario(text: string, file: string): ScenarioResult {
  const fail = (
    problems: readonly Problem[],
    locate: (s: readonly Segment[]) => Position = () => ({}),
  ): ScenarioResult =>
    err(
      capped(
        problems
          .map((p): ScenarioError => ({
            file,
            path: formatPath(p.segments),
            message: p.message,
            ...locate(p.segments),
          }))
          .sort(byPosition),
      ),
    );
  if (text.length > SCENARIO_FILE_BYTES_MAX) {
    return fail([
      {
        segments: [],
        message: `is ${text.length} characters long; scenario files are limited to ${SCENARIO_FILE_BYTES_MAX}`,
      },
    ]);
  }
  const depth = nestingDepth(text);
  if (depth > NESTING_MAX)
    return fail([
      { segments: [], message: `nests ${depth} levels deep; scenario files may nest at most ${NESTING_MAX}` },
    ]);
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  let data: unknown;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const yamlProblems = [...doc.errors, ...doc.warnings];
    // One error per distinct message: a deeply nested file fails the same way at every level.
    const distinct = yamlProblems.filter((e, i) => yamlProblems.findIndex((f) => f.message === e.message) === i);
    if (distinct.length > 0) return err(capped(distinct.map((e) => yamlError(e, file, lineCounter))));
    data = doc.toJS({ maxAliasCount: ALIASES_MAX });
  } catch (e) {
    // The alias bound (a ReferenceError) and pathological nesting (a RangeError) end up here: the file is rejected.
    return fail([{ segments: [], message: `cannot be read as YAML: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  const locate = (segments: readonly Segment[]) => locateIn(doc, segments, lineCounter);
  const validate = validateShape();
  if (!validate(data)) return fail(explain(validate.errors ?? []), locate);
  // The schema has just checked every field of this shape.
  const scenario = withDefaults(data as ScenarioFile, file);
  const problems = crossFieldProblems(scenario);
  return problems.length > 0 ? fail(problems, locate) : ok(scenario);
}

/** Reads and parses a scenario file; an unreadable or oversized file is an error value too. */
export async function loadScenarioFile(path: string): Promise<ScenarioResult> {
  let text: string;
  try {
    // Checked before reading, so a huge file is never read into memory.
    const { size } = await stat(path);
    if (size > SCENARIO_FILE_BYTES_MAX) {
      return err([
        { file: path, path: '', message: `is ${size} bytes; scenario files are limited to ${SCENARIO_FILE_BYTES_MAX}` },
      ]);
    }
    text = await readFile(path, 'utf8');
  } catch (e) {
    return err([{ file: path, path: '', message: `cannot be read: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  return parseScenario(text, path);
}

/** One line per error: `scenarios/foo.yaml:12:11: faults[1].kind: must be one of … (got "consumerOutge")`. */
export function formatScenarioErrors(errors: readonly ScenarioError[]): string {
  return errors
    .map(
      (e) =>
        `${e.file}${e.line === undefined ? '' : `:${e.line}:${e.column ?? 1}`}: ${e.path === '' ? '' : `${e.path}: `}${e.message}`,
    )
    .join('\n');
}

function withDefaults(raw: ScenarioFile, file: string): Scenario {
  const d = SCENARIO_DEFAULTS;
  const w = { ...d.workload, ...raw.workload };
  return {
    name: raw.name,
    description: raw.description,
    teaches: raw.teaches,
    seed: raw.seed ?? d.seed,
    system: {
      inventoryMode: raw.system?.inventoryMode ?? d.system.inventoryMode,
      summaryDependency: raw.system?.summaryDependency ?? d.system.summaryDependency,
      consumer: { ...d.system.consumer, ...raw.system?.consumer },
      ...(raw.system?.topology ? { topology: { ...raw.system.topology } } : {}),
    },
    // Ranges copied, so no two scenarios share (and could ever mutate) the defaults' objects.
    workload: {
      ...w,
      initialStock: { ...w.initialStock },
      itemsPerOrder: { ...w.itemsPerOrder },
      quantityPerItem: { ...w.quantityPerItem },
      stockAdjustmentDelta: { ...w.stockAdjustmentDelta },
    },
    faults: (raw.faults ?? []).map((f) => ({ ...FAULT_DEFAULTS[f.kind], ...f })),
    remediation: raw.remediation ?? [],
    expect: raw.expect,
    timeoutMs: raw.timeoutMs ?? d.timeoutMs,
    file,
    ...(raw.projections ? { projections: resolvedProjections(raw.projections, file) } : {}),
    ...(raw.crashPoints && raw.crashPoints.length > 0 ? { crashPoints: raw.crashPoints } : {}),
  };
}

/** Plug-in paths are written relative to the scenario file; anything else would depend on where `run` started. */
function resolvedProjections(
  projections: NonNullable<Scenario['projections']>,
  file: string,
): NonNullable<Scenario['projections']> {
  return Object.fromEntries(
    Object.entries(projections).map(([target, path]) => [target, resolve(dirname(file), path)]),
  );
}

/** Rules across fields that JSON Schema cannot say (or cannot say clearly). Runs on a schema-valid scenario. */
function crossFieldProblems(s: Scenario): Problem[] {
  const problems: Problem[] = [];
  const add = (segments: readonly Segment[], message: string) => problems.push({ segments, message });
  const { durationMs } = s.workload;
  for (const key of ['initialStock', 'itemsPerOrder', 'quantityPerItem', 'stockAdjustmentDelta'] as const) {
    const r = s.workload[key];
    if (r.min > r.max) add(['workload', key], `min (${r.min}) must not be more than max (${r.max})`);
  }
  const c = s.system.consumer;
  if (c.maxBackoffMs < c.initialBackoffMs)
    add(
      ['system', 'consumer', 'maxBackoffMs'],
      `must be at least initialBackoffMs (${c.initialBackoffMs}) (got ${c.maxBackoffMs})`,
    );
  if (s.timeoutMs <= durationMs)
    add(
      ['timeoutMs'],
      `must be more than workload.durationMs (${durationMs}): it bounds the workload plus settling (got ${s.timeoutMs})`,
    );
  const phasesMs = (s.workload.phases ?? []).reduce((sum, p) => sum + p.durationMs, 0);
  if (phasesMs > durationMs)
    add(
      ['workload', 'phases'],
      `last ${phasesMs} ms in all, longer than workload.durationMs (${durationMs}): shorten a phase or lengthen the workload`,
    );
  const brokers = s.system.topology?.brokers;
  if (brokers !== undefined && brokers % 2 === 0)
    add(
      ['system', 'topology', 'brokers'],
      `must be 1, 3 or 5: a cluster needs an odd number of nodes (got ${brokers})`,
    );
  s.faults.forEach((f, i) => {
    if (f.atMs >= durationMs)
      add(
        ['faults', i, 'atMs'],
        `must be before the end of the workload (workload.durationMs is ${durationMs}) (got ${f.atMs})`,
      );
    const [lastsKey, lastsMs] =
      'durationMs' in f
        ? ['durationMs', f.durationMs]
        : 'downMs' in f
          ? ['downMs', f.downMs]
          : 'restartAfterMs' in f
            ? ['restartAfterMs', f.restartAfterMs]
            : [undefined, 0];
    if (lastsKey !== undefined && f.atMs + lastsMs >= s.timeoutMs) {
      add(
        ['faults', i, lastsKey],
        `makes the fault end at ${f.atMs + lastsMs} ms, not before timeoutMs (${s.timeoutMs}): the run could never settle`,
      );
    }
    if (f.kind === 'brokerNodeKill' || f.kind === 'brokerNodeRestart' || f.kind === 'partition') {
      const brokers = s.system.topology?.brokers ?? 1;
      if (brokers < 3) add(['faults', i], `a ${f.kind} needs a broker cluster: add system.topology: {brokers: 3}`);
      else if (typeof f.node === 'number' && f.node >= brokers)
        add(['faults', i, 'node'], `must be a node of the cluster, 0 to ${brokers - 1} (got ${f.node})`);
    }
    if (f.kind === 'handlerBug' || f.kind === 'silentCorruption') {
      // A deployFix with neither time is reported on its own below, not again here.
      const fixed = s.remediation.some(
        (r) => r.action === 'deployFix' && r.target === f.target && (r.atMs === undefined || r.atMs > f.atMs),
      );
      if (!fixed) {
        add(
          ['faults', i],
          `a ${f.kind} lasts until a deployFix on its target, but no deployFix on ${f.target} comes after atMs ${f.atMs}: ` +
            `add {action: deployFix, target: ${f.target}, atMs: <later>} (or afterWorkload: true) to remediation`,
        );
      }
    }
  });
  s.remediation.forEach((r, i) => {
    if (r.atMs !== undefined && r.afterWorkload !== undefined)
      add(['remediation', i], 'must have exactly one of atMs or afterWorkload: true (got both)');
    else if (r.atMs === undefined && r.afterWorkload === undefined)
      add(['remediation', i], 'must have atMs (ms from the start of the workload) or afterWorkload: true');
    else if (r.atMs !== undefined && r.atMs >= durationMs) {
      add(
        ['remediation', i, 'atMs'],
        `must be before the end of the workload (workload.durationMs is ${durationMs}); use afterWorkload: true to act after it (got ${r.atMs})`,
      );
    }
  });
  return [...problems, ...processTopologyProblems(s)];
}

/** Faults that act from outside the services (on processes, the broker, the stream): all a processes run can take. */
const FROM_OUTSIDE: ReadonlySet<FaultSpec['kind']> = new Set([
  'processKill',
  'processPause',
  'brokerPause',
  'brokerRestart',
  'brokerNodeKill',
  'brokerNodeRestart',
  'partition',
  'poisonEvent',
]);

/**
 * With every service in its own process the runner can only act from outside them: process faults need that
 * topology, and what acts inside a service (a handler bug, a remediation, a plug-in's crash point) cannot have it.
 */
function processTopologyProblems(s: Scenario): Problem[] {
  const problems: Problem[] = [];
  const add = (segments: readonly Segment[], message: string) => problems.push({ segments, message });
  const processes = s.system.topology?.processes === true;
  s.faults.forEach((f, i) => {
    if ((f.kind === 'processKill' || f.kind === 'processPause') && !processes)
      add(['faults', i], `a ${f.kind} needs every service in its own process: add system.topology: {processes: true}`);
    else if (processes && !FROM_OUTSIDE.has(f.kind))
      add(
        ['faults', i],
        `a ${f.kind} acts inside a service, and with system.topology.processes the services run in processes of their own: use a process, broker or poisonEvent fault, or drop processes`,
      );
    if (f.kind === 'processKill' && f.when === 'afterCommit' && f.target === 'orders')
      add(['faults', i, 'when'], 'afterCommit strikes after a consumer’s commit, and the orders process runs none');
    if (f.kind === 'processKill' && f.when === 'betweenCheckAndCommit' && f.target !== 'orders')
      add(['faults', i, 'when'], `betweenCheckAndCommit strikes inside an order: only the orders process has them`);
  });
  if (!processes) return problems;
  s.remediation.forEach((_, i) =>
    add(['remediation', i], 'a remediation acts inside a service: not with system.topology.processes'),
  );
  s.expect.forEach((e, i) => {
    if (('property' in e ? e.property : e.violation) === 'rebuildEqualsIncremental')
      add(['expect', i], 'rebuildEqualsIncremental rebuilds inside a service: not with system.topology.processes');
  });
  if (s.projections !== undefined && Object.keys(s.projections).length > 0)
    add(['projections'], 'plug-in projections run in the runner’s process: not with system.topology.processes');
  if ((s.crashPoints ?? []).length > 0)
    add(['crashPoints'], 'crash points are a plug-in’s: not with system.topology.processes');
  return problems;
}

// ---- Turning ajv's errors into one clear problem per path ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const schemaOf = (e: ErrorObject): JsonSchema => e.parentSchema ?? {};

function explain(errors: readonly ErrorObject[]): Problem[] {
  const { kept, problems } = resolveOneOfs(errors);
  const described = [...problems, ...kept.map(describe)];
  // A misspelt key is reported once, as unknown with a suggestion, not again as the missing key it was meant to be.
  const suggested = new Set(
    described.flatMap((p) => ('suggests' in p && p.suggests !== undefined ? [p.suggests] : [])),
  );
  const seen = new Set<string>();
  return described.filter((p) => {
    const path = formatPath(p.segments);
    if (seen.has(path) || ('missing' in p && suggested.has(path))) return false;
    seen.add(path);
    return true;
  });
}

/**
 * A failed `oneOf` leaves the errors of every branch. Keep only the branch the data's tag (`kind`, `property`,
 * `violation`) selects; with no valid tag, replace them all by one error about the tag.
 */
function resolveOneOfs(errors: readonly ErrorObject[]): { kept: ErrorObject[]; problems: Problem[] } {
  let kept = errors.filter((e) => e.keyword !== 'oneOf');
  const problems: Problem[] = [];
  for (const o of errors.filter((e) => e.keyword === 'oneOf')) {
    const inside = (e: ErrorObject) =>
      e.schemaPath.startsWith(`${o.schemaPath}/`) &&
      (e.instancePath === o.instancePath || e.instancePath.startsWith(`${o.instancePath}/`));
    const branchOf = (e: ErrorObject) => Number(e.schemaPath.slice(o.schemaPath.length + 1).split('/')[0]);
    const branches = o.schema as readonly JsonSchema[];
    const chosen = chooseBranch(branches, o.data, (i) => kept.filter((e) => inside(e) && branchOf(e) === i).length);
    if (typeof chosen === 'number') {
      kept = kept.filter((e) => !inside(e) || branchOf(e) === chosen);
    } else {
      kept = kept.filter((e) => !inside(e));
      problems.push({ segments: [...toSegments(o.instancePath), ...chosen.segments], message: chosen.message });
    }
  }
  return { kept, problems };
}

/** The tag properties of a branch (`kind`, …) with the values that select it. */
function tagsOf(branch: JsonSchema): [string, readonly unknown[]][] {
  return Object.entries(branch.properties ?? {})
    .filter(([key]) => UNION_TAG_KEYS.includes(key) && branch.required?.includes(key) === true)
    .map(([key, s]) => [key, s.const !== undefined ? [s.const] : (s.enum ?? [])]);
}

function chooseBranch(
  branches: readonly JsonSchema[],
  data: unknown,
  errorCount: (i: number) => number,
): number | Problem {
  if (isObject(data)) {
    const fitting = branches.flatMap((b, i) =>
      tagsOf(b).every(([key, values]) => values.includes(data[key])) ? [i] : [],
    );
    if (fitting.length > 0) return fitting.reduce((best, i) => (errorCount(i) < errorCount(best) ? i : best));
  }
  const allowed = new Map<string, unknown[]>();
  for (const [key, values] of branches.flatMap(tagsOf))
    allowed.set(key, [...new Set([...(allowed.get(key) ?? []), ...values])]);
  const wanted = [...allowed].map(([key, values]) => `"${key}" (one of ${values.join(', ')})`).join(' or ');
  if (!isObject(data)) return { segments: [], message: `must be a mapping with ${wanted} (got ${show(data)})` };
  const present = [...allowed.keys()].find((key) => key in data);
  if (present === undefined) return { segments: [], message: `must have ${wanted}` };
  const values = (allowed.get(present) ?? []).map(String);
  return {
    segments: [present],
    message: `must be one of ${values.join(', ')} (got ${show(data[present])})${didYouMean(data[present], values)}`,
  };
}

function describe(e: ErrorObject): Problem & { suggests?: string; missing?: true } {
  const at = toSegments(e.instancePath);
  const schema = schemaOf(e);
  switch (e.keyword) {
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      const property = schema.properties?.[key];
      return {
        segments: [...at, key],
        message: `is required${property ? `: ${expected(property)}` : ''}`,
        missing: true,
      };
    }
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(schema.properties ?? {});
      const guess = closest(key, allowed);
      return {
        segments: [...at, key],
        message: `unknown key "${key}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; expected one of: ${allowed.join(', ')}`,
        ...(guess === undefined ? {} : { suggests: formatPath([...at, guess]) }),
      };
    }
    case 'minItems':
    case 'maxItems':
      return {
        segments: at,
        message: `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(e.schema)} item(s) (got ${Array.isArray(e.data) ? e.data.length : 0})`,
      };
    case 'enum':
      return {
        segments: at,
        message: `must be ${expected(schema)} (got ${show(e.data)})${didYouMean(e.data, (schema.enum ?? []).map(String))}`,
      };
    default:
      // type, const, bounds, pattern, length: say what is expected of the value, from its own schema.
      return {
        segments: at,
        message: `must be ${expected(schema)} (got ${show(e.data)})${numberHint(schema, e.data)}`,
      };
  }
}

const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [SCENARIO_NAME_PATTERN]: 'in kebab-case (lowercase letters and digits joined by "-", e.g. oversell-race)',
  [ID_PATTERN.source]: 'made of letters, digits, "_", "-", "." and ":"',
};

/** What a schema accepts, in words: `an integer from 100 to 600000`, `one of check, reserve`. */
function expected(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum !== undefined) return `one of ${s.enum.join(', ')}`;
  const bounds = s.minimum !== undefined && s.maximum !== undefined ? ` from ${s.minimum} to ${s.maximum}` : '';
  switch (s.type) {
    case 'integer':
      return `an integer${bounds}`;
    case 'number':
      return `a number${bounds}`;
    case 'boolean':
      return 'true or false';
    case 'string': {
      const pattern = s.pattern === undefined ? '' : `, ${PATTERN_HINTS[s.pattern] ?? `matching ${s.pattern}`}`;
      return `a non-empty string of at most ${s.maxLength ?? 'any number of'} characters${pattern}`;
    }
    case 'array':
      return `a list of ${s.minItems ?? 0} to ${s.maxItems ?? 'any number of'} items`;
    case 'object': {
      const required = s.required ?? [];
      const optional = Object.keys(s.properties ?? {}).filter((k) => !required.includes(k));
      const lists = [
        required.length > 0 ? `${required.join(', ')} (required)` : '',
        optional.length > 0 ? `${optional.join(', ')} (optional)` : '',
      ];
      return `a mapping with keys ${lists.filter((l) => l !== '').join(' and ')}`;
    }
    case undefined:
      return s.description ?? 'valid';
  }
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
}

/** YAML 1.2 reads `60_000` as a string; say so rather than leave the user puzzled by "got \"60_000\"". */
const numberHint = (s: JsonSchema, v: unknown): string =>
  (s.type === 'integer' || s.type === 'number') && typeof v === 'string' && /^-?[\d_]+(\.\d+)?$/.test(v)
    ? '; write numbers without "_"'
    : '';

function didYouMean(v: unknown, candidates: readonly string[]): string {
  const guess = typeof v === 'string' ? closest(v, candidates) : undefined;
  return guess === undefined || guess === v ? '' : ` — did you mean "${guess}"?`;
}

/** The candidate nearest to `word` (edit distance at most 2, or equal ignoring case), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c);
    if (d <= 2 && (best === undefined || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length] ?? 0;
}

// ---- Paths and positions ----

/** ajv's `/faults/1/kind` as segments; every numeric segment is a list index (no scenario key is a number). */
const toSegments = (pointer: string): Segment[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/** `faults[2].durationMs`; a key that is not a plain identifier is quoted: `workload["bad key"]`. */
function formatPath(segments: readonly Segment[]): string {
  return segments
    .map((s, i) =>
      typeof s === 'number'
        ? `[${s}]`
        : /^[A-Za-z_$][\w$]*$/.test(s)
          ? `${i === 0 ? '' : '.'}${s}`
          : `[${JSON.stringify(s)}]`,
    )
    .join('');
}

type Position = { line?: number; column?: number };

/** Where a path is in the YAML: its value, or the nearest enclosing node that exists (for a missing key). */
function locateIn(doc: Document.Parsed, segments: readonly Segment[], lineCounter: LineCounter): Position {
  let node: unknown = doc.contents;
  let found = node;
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment];
    } else break;
    found = node;
  }
  const offset = isNode(found) ? found.range?.[0] : undefined;
  if (offset === undefined) return {};
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function yamlError(e: YAMLError, file: string, lineCounter: LineCounter): ScenarioError {
  const { line, col } = lineCounter.linePos(e.pos[0]);
  return { file, path: '', message: `YAML syntax error: ${e.message}`, line, column: col };
}

/** Deepest nesting of flow collections plus compact `- `/`? ` items on one line, from yaml's (linear) lexer. */
function nestingDepth(text: string): number {
  let flow = 0;
  let compact = 0;
  let deepest = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') flow++;
    else if (token === ']' || token === '}') flow = Math.max(0, flow - 1);
    else if (token === '-' || token === '?') compact++;
    else if (token === '\n' || token === '\r\n') compact = 0;
    deepest = Math.max(deepest, flow + compact);
  }
  return deepest;
}

/** Problems in file order; those about the whole file (no position) first. */
const byPosition = (a: ScenarioError, b: ScenarioError): number =>
  (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);

function capped(errors: ScenarioError[]): ScenarioError[] {
  const [first] = errors;
  if (errors.length <= ERRORS_MAX || first === undefined) return errors;
  return [
    ...errors.slice(0, ERRORS_MAX),
    { file: first.file, path: '', message: `… and ${errors.length - ERRORS_MAX} more problems` },
  ];
}
