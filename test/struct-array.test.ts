/**
 * Struct arrays (Kompute #124, #327, #420): `array<S>` laid out exactly as WGSL declares it,
 * written from and read into plain objects, checked byte for byte against what shaders read
 * (through kompute-ts and through raw WebGPU with the same bytes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ArgumentError, DTypeError, type Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, SizeError, StructType } from '../src/index.js';
import { assertFails, createManager, rawDevice, rawRead, Usage } from './helpers.js';

/** Padding after x, vec3 and mat3x3 columns padded to 16 bytes, a nested struct, a fixed array, an array of structs. */
const DECLS = /* wgsl */ `
struct Inner { a: vec3f, b: u32 }
struct Item {
  x: f32,
  v: vec3f,
  m: mat3x3f,
  inner: Inner,
  k: i32,
  w: vec2f,
  arr: array<u32, 3>,
  pair: array<Inner, 2>,
  last: vec2<i32>,
}
`;

/** Each scalar of items[i], in member order, as u32 bits into out[i * N + j]. */
const FLATTEN = /* wgsl */ `${DECLS}
@group(0) @binding(0) var<storage, read_write> items: array<Item>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
const N = 1u + 3u + 9u + 4u + 1u + 2u + 3u + 8u + 2u;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let it = items[id.x];
  var j = id.x * N;
  out[j] = bitcast<u32>(it.x); j++;
  for (var c = 0u; c < 3u; c++) { out[j] = bitcast<u32>(it.v[c]); j++; }
  for (var c = 0u; c < 3u; c++) { for (var r = 0u; r < 3u; r++) { out[j] = bitcast<u32>(it.m[c][r]); j++; } }
  for (var c = 0u; c < 3u; c++) { out[j] = bitcast<u32>(it.inner.a[c]); j++; }
  out[j] = it.inner.b; j++;
  out[j] = bitcast<u32>(it.k); j++;
  out[j] = bitcast<u32>(it.w.x); j++;
  out[j] = bitcast<u32>(it.w.y); j++;
  for (var c = 0u; c < 3u; c++) { out[j] = it.arr[c]; j++; }
  for (var e = 0u; e < 2u; e++) {
    for (var c = 0u; c < 3u; c++) { out[j] = bitcast<u32>(it.pair[e].a[c]); j++; }
    out[j] = it.pair[e].b; j++;
  }
  out[j] = bitcast<u32>(it.last.x); j++;
  out[j] = bitcast<u32>(it.last.y); j++;
}
`;
const N = 33;

/** The reverse: items[i] built from flat u32 bits in[i * N + j] (what JavaScript must decode). */
const BUILD = /* wgsl */ `${DECLS}
@group(0) @binding(0) var<storage, read_write> flat: array<u32>;
@group(0) @binding(1) var<storage, read_write> items: array<Item>;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  var j = id.x * ${N}u;
  var it: Item;
  it.x = bitcast<f32>(flat[j]); j++;
  for (var c = 0u; c < 3u; c++) { it.v[c] = bitcast<f32>(flat[j]); j++; }
  for (var c = 0u; c < 3u; c++) { for (var r = 0u; r < 3u; r++) { it.m[c][r] = bitcast<f32>(flat[j]); j++; } }
  for (var c = 0u; c < 3u; c++) { it.inner.a[c] = bitcast<f32>(flat[j]); j++; }
  it.inner.b = flat[j]; j++;
  it.k = bitcast<i32>(flat[j]); j++;
  it.w = vec2f(bitcast<f32>(flat[j]), bitcast<f32>(flat[j + 1u])); j += 2u;
  for (var c = 0u; c < 3u; c++) { it.arr[c] = flat[j]; j++; }
  for (var e = 0u; e < 2u; e++) {
    for (var c = 0u; c < 3u; c++) { it.pair[e].a[c] = bitcast<f32>(flat[j]); j++; }
    it.pair[e].b = flat[j]; j++;
  }
  it.last = vec2<i32>(bitcast<i32>(flat[j]), bitcast<i32>(flat[j + 1u]));
  items[id.x] = it;
}
`;

function item(i: number) {
  const f = (k: number) => Math.fround(i * 100 + k + 0.25);
  return {
    x: f(0),
    v: [f(1), f(2), f(3)],
    m: [f(4), f(5), f(6), f(7), f(8), f(9), f(10), f(11), f(12)],
    inner: { a: [f(13), f(14), f(15)], b: i * 7 + 1 },
    k: -i - 5,
    w: [f(16), f(17)],
    arr: [i, i + 1, 4_000_000_000 - i],
    pair: [
      { a: [f(18), f(19), f(20)], b: 11 + i },
      { a: [f(21), f(22), f(23)], b: 12 + i },
    ],
    last: [-2_000_000_000 + i, 2_000_000_000 - i],
  };
}

/** An item's scalars in member order, as u32 bits (what FLATTEN writes). */
function flatBits(value: ReturnType<typeof item>): number[] {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const i32 = new Int32Array(f32.buffer);
  const fb = (x: number): number => {
    f32[0] = x;
    return u32[0]!;
  };
  const ib = (x: number): number => {
    i32[0] = x;
    return u32[0]!;
  };
  return [
    fb(value.x),
    ...value.v.map(fb),
    ...value.m.map(fb),
    ...value.inner.a.map(fb),
    value.inner.b,
    ib(value.k),
    ...value.w.map(fb),
    ...value.arr,
    ...value.pair.flatMap((p) => [...p.a.map(fb), p.b]),
    ...value.last.map(ib),
  ];
}

describe('struct arrays', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('the layout follows WGSL: offsets, padding, size, alignment and stride', () => {
    const Item = StructType.fromWgsl(DECLS, 'Item');
    assert.equal(Item.name, 'Item');
    assert.deepEqual(
      Item.fields.map((f) => [f.name, f.offset, f.size]),
      [
        ['x', 0, 4],
        ['v', 16, 12],
        ['m', 32, 48],
        ['inner', 80, 16],
        ['k', 96, 4],
        ['w', 104, 8],
        ['arr', 112, 12],
        ['pair', 128, 32],
        ['last', 160, 8],
      ],
    );
    assert.equal(Item.size, 176);
    assert.equal(Item.align, 16);
    assert.equal(Item.stride, 176);
    assert.equal(Item.dtype, 'u32', 'mixed members: the bytes as words');
    const P = StructType.fromWgsl('struct P { a: f32, b: vec2f }');
    assert.deepEqual([P.size, P.align, P.stride, P.dtype], [16, 8, 16, 'f32']);
    const Odd = StructType.fromWgsl('struct Odd { a: vec3f, b: f32, c: f32 }');
    assert.deepEqual([Odd.size, Odd.stride], [32, 32], 'the size is rounded up to the alignment');
    assert.match(Item.wgsl, /struct Inner \{ a: vec3f, b: u32 \}[\s\S]*struct Item \{/);
  });

  test('a schema object gives the layout of the equivalent WGSL declaration', () => {
    const Inner = StructType.fromSchema({ a: 'vec3f', b: 'u32' }, 'Inner');
    const Item = StructType.fromSchema({ x: 'f32', v: 'vec3f', m: 'mat3x3f', inner: Inner, k: 'i32', w: 'vec2f', arr: 'array<u32, 3>', pair: [Inner, 2], last: 'vec2<i32>' }, 'Item');
    const declared = StructType.fromWgsl(DECLS, 'Item');
    assert.deepEqual(Item.fields, declared.fields);
    assert.deepEqual([Item.size, Item.align, Item.stride], [declared.size, declared.align, declared.stride]);
    assert.deepEqual(Array.from(Item.encode([item(3)])), Array.from(declared.encode([item(3)])));
  });

  test('objects written from JavaScript are what a shader reads, member by member, through kompute-ts and raw WebGPU', async () => {
    const Item = StructType.fromWgsl(FLATTEN, 'Item');
    const values = Array.from({ length: 5 }, (_, i) => item(i));
    const encoded = Item.encode(values);
    assert.equal(encoded.byteLength, 5 * 176);
    const items = mgr.tensor(encoded);
    const out = mgr.tensor(5 * N, 'u32');
    const algo = mgr.algorithm([items, out], FLATTEN, { workgroup: [5] });
    await mgr.sequence().eval(new OpSyncDevice([items]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    const expected = values.flatMap(flatBits);
    assert.deepEqual(Array.from(out.data()), expected);

    // Raw WebGPU, the same bytes and shader on a device of its own.
    const { device } = await rawDevice();
    const a = device.createBuffer({ size: encoded.byteLength, usage: Usage.STORAGE | Usage.COPY_DST });
    device.queue.writeBuffer(a, 0, encoded);
    const b = device.createBuffer({ size: 5 * N * 4, usage: Usage.STORAGE | Usage.COPY_SRC });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: FLATTEN }), entryPoint: 'main' } });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: a } },
          { binding: 1, resource: { buffer: b } },
        ],
      }),
    );
    pass.dispatchWorkgroups(5);
    pass.end();
    device.queue.submit([encoder.finish()]);
    assert.deepEqual(Array.from(new Uint32Array(await rawRead(device, b, 5 * N * 4))), expected, 'raw WebGPU reads the same members');
    device.destroy();
    algo.destroy();
    items.destroy();
    out.destroy();
  });

  test('structs a shader writes read back as the same objects; columns pack each member; padding stays zero', async () => {
    const Item = StructType.fromWgsl(BUILD, 'Item');
    const values = Array.from({ length: 4 }, (_, i) => item(i + 10));
    const flat = mgr.tensor(Uint32Array.from(values.flatMap(flatBits)));
    const items = mgr.tensor(Item.elementsFor(4), 'u32');
    const algo = mgr.algorithm([flat, items], BUILD, { workgroup: [4] });
    await mgr.sequence().eval(new OpSyncDevice([flat]), new OpAlgoDispatch(algo), new OpSyncLocal([items]));
    assert.deepEqual(Item.read(items), values);
    assert.deepEqual(Item.read(items, 2, 1), [values[2]]);
    // Byte for byte: what the GPU wrote is what encode() makes of the same objects.
    assert.deepEqual(Array.from(items.data()), Array.from(Item.encode(values)));
    const columns = Item.columns(items);
    assert.deepEqual(
      Array.from(columns['v']!),
      values.flatMap((v) => v.v),
    );
    assert.ok(columns['v'] instanceof Float32Array);
    assert.deepEqual(
      Array.from(columns['inner.b']!),
      values.map((v) => v.inner.b),
    );
    assert.deepEqual(
      Array.from(columns['pair[1].b']!),
      values.map((v) => v.pair[1]!.b),
    );
    assert.ok(columns['last'] instanceof Int32Array);
    assert.deepEqual(
      Array.from(columns['last']!),
      values.flatMap((v) => v.last),
    );
    algo.destroy();
    flat.destroy();
    items.destroy();
  });

  test('write() and a view of a window of structs move only those structs', async () => {
    const P = StructType.fromWgsl('struct P { pos: vec2f, vel: vec2f, id: u32 }');
    assert.equal(P.stride, 24);
    const t = mgr.tensor(P.encode(Array.from({ length: 10 }, (_, i) => ({ pos: [i, i], vel: [0, 0], id: i }))));
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([t]));
    P.write(t, [{ pos: [-1, -2], vel: [3, 4], id: 99 }], 4);
    P.write(t, [{ pos: [-5, -5], vel: [5, 5], id: 55 }], 7);
    await seq.eval(new OpSyncDevice([P.view(t, 4, 1)]));
    // Read the GPU back whole: struct 4 changed, struct 7 did not reach the GPU.
    await seq.eval(new OpSyncLocal([t]));
    const back = P.read(t);
    assert.deepEqual(back[4], { pos: [-1, -2], vel: [3, 4], id: 99 });
    assert.deepEqual(back[7], { pos: [7, 7], vel: [0, 0], id: 7 });
    assert.deepEqual(P.read(P.view(t, 3, 2)), [back[3], back[4]]);
    seq.destroy();
    t.destroy();
  });

  test('f16 members', async (t) => {
    if (!mgr.device.features.has('shader-f16')) {
      t.skip('no shader-f16 on this device');
      return;
    }
    const H = StructType.fromWgsl('enable f16;\nstruct H { a: f16, b: vec3<f16>, c: f32 }');
    assert.deepEqual(
      H.fields.map((f) => [f.name, f.offset]),
      [
        ['a', 0],
        ['b', 8],
        ['c', 16],
      ],
    );
    const shader = `${H.wgsl}
@group(0) @binding(0) var<storage, read_write> hs: array<H>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1) fn main() {
  let h = hs[1];
  out[0] = f32(h.a); out[1] = f32(h.b.x); out[2] = f32(h.b.y); out[3] = f32(h.b.z); out[4] = h.c;
  hs[0] = H(h.a * 2.0h, h.b * 2.0h, h.c * 2.0);
}`;
    const data = H.encode([
      { a: 0, b: [0, 0, 0], c: 0 },
      { a: 1.5, b: [-2, 0.25, 1024], c: 3.75 },
    ]);
    const hs = mgr.tensor(data);
    const out = mgr.tensor(5, 'f32');
    const algo = mgr.algorithm([hs, out], shader, { workgroup: [1] });
    await mgr.sequence().eval(new OpSyncDevice([hs]), new OpAlgoDispatch(algo), new OpSyncLocal([hs, out]));
    assert.deepEqual(Array.from(out.data()), [1.5, -2, 0.25, 1024, 3.75]);
    assert.deepEqual(H.read(hs)[0], { a: 3, b: [-4, 0.5, 2048], c: 7.5 });
    algo.destroy();
    hs.destroy();
    out.destroy();
  });

  test('bad inputs: size mismatches, unknown members, out-of-range integers, undeclared structs', async () => {
    const P = StructType.fromWgsl('struct P { pos: vec2f, id: u32 }');
    const t = mgr.tensor(5, 'u32');
    await assertFails(() => P.read(t), SizeError, /^memory: .*holds 20 bytes, not a whole number of 16-byte P structs/);
    await assertFails(() => P.countIn(mgr.tensor(6, 'u32').view(1, 3)), ArgumentError, /starts at byte 4, not at a P/);
    await assertFails(() => P.encode([{ pos: [1, 2], idd: 3 }]), ArgumentError, /no member 'idd'.*did you mean 'id'/);
    await assertFails(() => P.encode([{ pos: [1, 2, 3], id: 3 }]), SizeError, /^values\[0\]\.pos: vec2f takes 2 number/);
    await assertFails(() => P.encode([{ pos: [1, 2], id: -1 }]), DTypeError, /-1 is not a u32 value/);
    await assertFails(() => P.encode([]), ArgumentError, /non-empty array/);
    await assertFails(() => P.decode(new Uint32Array(5)), SizeError, /20 bytes are not a whole number/);
    await assertFails(() => P.write(mgr.tensor(P.elementsFor(2), 'u32'), [{ pos: [0, 0], id: 0 }], 2), ArgumentError, /^first: must be a struct index from 0 to 1/);
    await assertFails(() => StructType.fromWgsl('fn f() {}'), ArgumentError, /declares no struct/);
    await assertFails(() => StructType.fromWgsl('struct A { a: f32 }', 'B'), ArgumentError, /no struct 'B'.*its structs: A/);
    await assertFails(() => StructType.fromSchema({ a: 'f32', 'b c': 'u32' }), ArgumentError, /not a WGSL identifier/);
    await assertFails(() => StructType.fromSchema({ a: 5 as never }), ArgumentError, /is not a member type/);
    await assertFails(() => StructType.fromWgsl('struct R { a: f32, b: array<f32> }'), ArgumentError, /runtime-sized array/);
  });
});
