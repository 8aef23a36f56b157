/**
 * The consumer process died (injected: between commit and ack, or at a plug-in's crash point). Nothing more is
 * acknowledged; the broker redelivers what was in flight after the ack wait. Thrown by stores and by the pull, so
 * it lives with the stores, below the machines that catch it.
 */
export class ConsumerCrashed extends Error {
  override readonly name = 'ConsumerCrashed';
}
