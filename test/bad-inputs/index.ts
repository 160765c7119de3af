/**
 * The bad-input catalogue, one file per area of the API, in the order of docs/errors.md. To add a
 * row, append it to its area's file; to add an area, add a file exporting AREA and ROWS and list
 * it here (and give it a section in docs/errors.md).
 */
import type { Row } from './catalogue.js';
import * as manager from './manager.js';
import * as tensor from './tensor.js';
import * as tensorFromBuffer from './tensor-from-buffer.js';
import * as views from './views.js';
import * as structs from './structs.js';
import * as image from './image.js';
import * as algorithm from './algorithm.js';
import * as wgsl from './wgsl.js';
import * as pushConstants from './push-constants.js';
import * as bindings from './bindings.js';
import * as workgroup from './workgroup.js';
import * as sequence from './sequence.js';
import * as operations from './operations.js';
import * as destroyed from './destroyed.js';
import * as concurrency from './concurrency.js';

/** The areas, in the order of docs/errors.md: each with its section heading there and its rows. */
export const AREAS: readonly { readonly area: Row['area']; readonly heading: string; readonly rows: readonly Row[] }[] = [
  { ...manager.AREA, rows: manager.ROWS },
  { ...tensor.AREA, rows: tensor.ROWS },
  { ...tensorFromBuffer.AREA, rows: tensorFromBuffer.ROWS },
  { ...views.AREA, rows: views.ROWS },
  { ...structs.AREA, rows: structs.ROWS },
  { ...image.AREA, rows: image.ROWS },
  { ...algorithm.AREA, rows: algorithm.ROWS },
  { ...wgsl.AREA, rows: wgsl.ROWS },
  { ...pushConstants.AREA, rows: pushConstants.ROWS },
  { ...bindings.AREA, rows: bindings.ROWS },
  { ...workgroup.AREA, rows: workgroup.ROWS },
  { ...sequence.AREA, rows: sequence.ROWS },
  { ...operations.AREA, rows: operations.ROWS },
  { ...destroyed.AREA, rows: destroyed.ROWS },
  { ...concurrency.AREA, rows: concurrency.ROWS },
];

/** Every row of the catalogue. */
export const ROWS: readonly Row[] = AREAS.flatMap((a) => a.rows);
