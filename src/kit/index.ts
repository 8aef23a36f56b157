/**
 * The projection test kit, for your own test suite (vitest, jest, node:test): `projectionKit(plugin)` for
 * given/when/then scenarios on the simulated broker, `checkProjection(plugin)` for the whole property suite.
 */
export {
  checkProjection,
  ProjectionCheckFailed,
  type CheckProjectionOptions,
  type ProjectionCheckResult,
} from './checkProjection.js';
export { Deliveries, type DeliveryStep } from './deliveries.js';
export {
  KitScenario,
  projectionKit,
  ProjectionKitFailure,
  type PluginSource,
  type ProjectionKitOptions,
} from './projectionKit.js';
export { UnfiredFaults } from './simulatedRun.js';
export type { CheckResult } from '../check/propertySuite.js';
