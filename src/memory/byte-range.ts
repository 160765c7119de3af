/** A range of bytes of a GPU buffer (and of the host copy's matching bytes). */
export interface ByteRange {
  /** First byte; a multiple of 4 (WebGPU's copy granularity). */
  readonly offset: number;
  /** Number of bytes; a multiple of 4. */
  readonly bytes: number;
}

/** Whether `a` and `b` share a byte. */
export function overlaps(a: ByteRange, b: ByteRange): boolean {
  return a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
}

/** Whether every byte of `inner` is in `outer`. */
export function covers(outer: ByteRange, inner: ByteRange): boolean {
  return outer.offset <= inner.offset && inner.offset + inner.bytes <= outer.offset + outer.bytes;
}

/** `range` less every range of `covered`, as the ranges left in ascending order. */
export function subtractRanges(range: ByteRange, covered: readonly ByteRange[]): ByteRange[] {
  let pieces: ByteRange[] = [range];
  for (const c of covered) {
    const cEnd = c.offset + c.bytes;
    const next: ByteRange[] = [];
    for (const p of pieces) {
      const pEnd = p.offset + p.bytes;
      if (cEnd <= p.offset || c.offset >= pEnd) {
        next.push(p);
        continue;
      }
      if (c.offset > p.offset) next.push({ offset: p.offset, bytes: c.offset - p.offset });
      if (cEnd < pEnd) next.push({ offset: cEnd, bytes: pEnd - cEnd });
    }
    pieces = next;
    if (pieces.length === 0) break;
  }
  return pieces;
}
