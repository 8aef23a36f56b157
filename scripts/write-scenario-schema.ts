// Writes scenarios/schema.json from the TS const, so editors validate and complete scenario files
// (`# yaml-language-server: $schema=../schema.json` at the top of a YAML file). A unit test fails when it is stale.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SCENARIO_SCHEMA } from '../src/scenarios/scenarioSchema.js';

const target = fileURLToPath(new URL('../scenarios/schema.json', import.meta.url));
await writeFile(target, `${JSON.stringify(SCENARIO_SCHEMA, null, 2)}\n`);
console.log(`wrote ${target}`);
