/**
 * WGSL that passes one value between workgroups of a dispatch through two atomic words, each a
 * 16-bit flag beside 16 bits of the value. WGSL's atomics are relaxed: a plain store (or another
 * atomic) written before an atomic is not ordered with it for other workgroups, so the value must
 * carry its own proof of arrival; a reader takes it only when both words show the same nonzero
 * flag. f16 values travel as f32 (exactly). The functions use `state: array<atomic<u32>>`.
 */
export function packedStateWgsl(type: string): string {
  const bits = type === 'f16' ? 'bitcast<u32>(f32(value))' : type === 'u32' ? 'value' : 'bitcast<u32>(value)';
  const unbits = type === 'f16' ? 'f16(bitcast<f32>(b))' : type === 'u32' ? 'b' : `bitcast<${type}>(b)`;
  return `struct Seen { flag: u32, value: ${type} }

fn publishState(slot: u32, flag: u32, value: ${type}) {
  let b = ${bits};
  atomicStore(&state[2u * slot], (flag << 16u) | (b >> 16u));
  atomicStore(&state[2u * slot + 1u], (flag << 16u) | (b & 0xffffu));
}

/** The flag and value of a slot; flag 0 when nothing (or half of a value) has arrived. */
fn readState(slot: u32) -> Seen {
  let hi = atomicLoad(&state[2u * slot]);
  let lo = atomicLoad(&state[2u * slot + 1u]);
  if ((hi >> 16u) != (lo >> 16u)) { return Seen(0u, ${type}()); }
  let b = ((hi & 0xffffu) << 16u) | (lo & 0xffffu);
  return Seen(hi >> 16u, ${unbits});
}
`;
}
