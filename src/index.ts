/**
 * The public API of cqrs-testbed for projection plug-in authors: `import { definePlugin, type OrderPlaced } from
 * 'cqrs-testbed'`. A plug-in replaces one built-in read model; `cqrs-testbed check --projection <model>=<module>`
 * and the test kit (`cqrs-testbed/kit`) prove it against the oracle under outages, redeliveries and crashes.
 */
export {
  builtInReadState,
  definePlugin,
  type ManagedPlugin,
  type ProjectionPlugin,
  type ProjectionPlugins,
  type ProjectionTarget,
  type ReferenceShapes,
  type SelfManagedPlugin,
  type ApplyMode,
  type ApplyOutcome,
  type Db,
  type DeliveryInfo,
  type DeliverySource,
  type HandleContext,
  type HandleOutcome,
  type Positioned,
  type ProductLookup,
  type ProjectionDeps,
  type ProjectionView,
  type SelfManagedHandler,
  type TableName,
  type ViewWriter,
} from './plugins/projectionPlugin.js';
export type {
  DomainEvent,
  DomainEventType,
  InventoryUpdated,
  OrderLine,
  OrderPlaced,
  OrderRejected,
  ProductAdded,
  ProductRenamed,
  ProductRepriced,
  StockAdjusted,
} from './domain/events.js';
export type { EventEnvelope } from './domain/envelope.js';
export type { Cents } from './domain/money.js';
export { READ_MODELS, type ReadModelName, type ReadModelStates } from './domain/readModels.js';
export type { SummaryItem, SummaryRow, SummaryState } from './domain/projections/customerOrderSummary.js';
export type { InventoryState } from './domain/projections/productInventory.js';
export type { ProductRow, ProductsState } from './domain/projections/products.js';
