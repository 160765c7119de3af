// wgsl_reflect's package "main" is a CommonJS file inside a "type": "module" package, which
// Node cannot load as ESM; its ES module build has no types of its own, so borrow the root's.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
