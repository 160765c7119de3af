import { Manager, OpAlgoDispatch, OpMult, OpSyncDevice, OpSyncLocal } from '../src/index.js';
const mgr = await Manager.create();
console.log(mgr.deviceInfo().description);
const a = mgr.tensor([2, 4, 6]);
const b = mgr.tensor([0, 1, 2]);
const out = mgr.tensor(3, 'f32');
const seq = mgr.sequence();
await seq.eval(new OpSyncDevice([a, b, out]), new OpMult([a, b, out]), new OpSyncLocal([out]));
console.log([...out.data()], mgr.memory());
const algo = mgr.algorithm([a, out], `
struct Push { k: f32 }
@group(1) @binding(0) var<uniform> push: Push;
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) { o[id.x] = a[id.x] * push.k; }`, { pushConstants: [10] });
await seq.eval(new OpAlgoDispatch(algo), new OpAlgoDispatch(algo, [100]), new OpSyncLocal([out]));
console.log([...out.data()]);
try { const bad = mgr.algorithm([a], `@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n@compute @workgroup_size(1) fn main() {\n  a[0] = foo;\n}`); await bad.compiled(); } catch (e) { console.log(String(e)); }
mgr.destroy();
console.log(mgr.memory(), a.isInit());
