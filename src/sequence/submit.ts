import type { EventHub } from '../core/events.js';
import type { Operation } from '../operations/operation.js';
import type { BatchPlan } from './batch-plan.js';
import type { ArenaBuffers, Recorder } from './recorder.js';
import type { SequenceCore } from './sequence-core.js';
import type { GPUQueue } from '../backends/webgpu-types.js';

/** The timestamp queries of one evaluation, with the buffers they resolve into. */
type QuerySlots = ReturnType<SequenceCore['timestamps']>;

/**
 * Encodes one batch and submits it: uploads of the coherent tensors, the operations in order,
 * downloads of the coherent tensors, the timestamp resolution; then the arena's one write and
 * the one submit.
 */
export function encodeAndSubmit(
  queue: GPUQueue,
  encoder: Recorder,
  batch: readonly Operation[],
  plan: BatchPlan,
  arena: ArenaBuffers,
  queries: QuerySlots | null,
  report: { readonly events: EventHub; readonly label: string } | null = null,
): void {
  const from = report ? performance.now() : 0;
  for (const t of plan.coherent) encoder.upload(t);
  for (let i = 0; i < batch.length; i++) {
    encoder.beginOp(i);
    batch[i]!.encode(encoder);
  }
  for (const t of plan.coherent) encoder.download(t);
  if (queries && encoder.timedOps.length > 0) {
    encoder.encoder.resolveQuerySet(queries.querySet, 0, encoder.timedOps.length * 2, queries.resolve, 0);
    encoder.encoder.copyBufferToBuffer(queries.resolve, 0, queries.readback, 0, encoder.timedOps.length * 16);
  }
  const commands = encoder.finish();
  const encoded = report ? performance.now() : 0;
  // The leading uploads and the upload buffer's single write land before the batch runs; the
  // batch copies out of the upload buffer in order.
  for (const { target, offset, data } of encoder.leadingWrites) queue.writeBuffer(target, offset, data);
  if (encoder.uploadBytesUsed > 0) queue.writeBuffer(arena.upload!, 0, arena.hostUpload, 0, encoder.uploadBytesUsed);
  queue.submit([commands]);
  if (report) {
    const { events, label } = report;
    events.emit('batch.encoded', 'debug', `encoded ${batch.length} operations`, { source: label, time: from, duration: encoded - from, data: { phase: 'encode', ops: batch.length } });
    events.emit('batch.submitted', 'debug', `submitted (${encoder.uploadBytesUsed} bytes written)`, {
      source: label,
      time: encoded,
      duration: performance.now() - encoded,
      data: { phase: 'submit', uploadBytes: encoder.uploadBytesUsed },
    });
  }
}
