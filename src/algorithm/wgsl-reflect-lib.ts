/**
 * The two classes of `wgsl_reflect` this library uses, re-exported by name so that a bundler
 * tree-shakes the rest of the package out of the chunk that `loadWgslReflect()` imports.
 */
export { WgslParser, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
