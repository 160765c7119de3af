/**
 * The shared argument checks of src/core/options.ts (issue 16): options objects, own-key name
 * lookups, "did you mean", the indefinite article in messages, and hints printed once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { booleanValue, checkOptions, closest, isOwnName, lookupName, withArticle } from '../src/core/options.js';
import { ArgumentError } from '../src/index.js';

describe('options checks', () => {
  const RULES = { timestamps: booleanValue, label: (v: unknown) => (typeof v === 'string' ? null : 'a string') };

  test('undefined is {}; null, arrays and non-objects are an ArgumentError naming the argument', () => {
    assert.deepEqual(checkOptions('options', undefined, RULES), {});
    for (const bad of [null, [], 'x', 5, true]) {
      assert.throws(
        () => checkOptions('options', bad as never, RULES),
        (e: unknown) => e instanceof ArgumentError && e.argument === 'options' && /expected an options object/.test(e.message),
      );
    }
  });

  test('unknown keys are named, with a close known key suggested; values are checked; undefined values are absent', () => {
    assert.throws(
      () => checkOptions('options', { timestamp: true } as never, RULES, ''),
      (e: unknown) => e instanceof ArgumentError && e.argument === 'timestamp' && /did you mean 'timestamps'/.test(e.hint),
    );
    assert.throws(
      () => checkOptions('options', { zzz: 1 } as never, RULES),
      (e: unknown) => e instanceof ArgumentError && e.argument === 'options.zzz' && !/did you mean/.test(e.hint),
    );
    assert.throws(
      () => checkOptions('options', { timestamps: 'yes' } as never, RULES, ''),
      (e: unknown) => e instanceof ArgumentError && e.argument === 'timestamps' && /true or false/.test(e.hint),
    );
    assert.deepEqual(checkOptions('options', { timestamps: undefined, label: 'x' }, RULES), { timestamps: undefined, label: 'x' });
    assert.throws(
      () => checkOptions('options', { toString: 1 } as never, RULES),
      (e: unknown) => e instanceof ArgumentError && e.argument === 'options.toString',
    );
  });

  test('names are looked up as own keys only', () => {
    const table = { f32: 4, i32: 4 };
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 5, null]) {
      assert.equal(isOwnName(table, name), false, String(name));
      assert.equal(lookupName(table, name), undefined);
    }
    assert.equal(lookupName(table, 'f32'), 4);
  });

  test('closest: small edit distances and cut-short names; nothing for far names', () => {
    assert.equal(closest('workgroups', ['workgroup', 'constants']), 'workgroup');
    assert.equal(closest('stagingPool', ['stagingPoolBytes', 'adapterInfo']), 'stagingPoolBytes');
    assert.equal(closest('xyz', ['workgroup', 'constants']), null);
  });

  test("messages say 'an i32', 'an f32', 'a u32', 'an Int32Array', 'a Uint32Array', 'a Float32Array'", () => {
    assert.deepEqual(['i32', 'f32', 'f16', 'u32', 'u8', 'i8', 'Int32Array', 'Uint32Array', 'Float32Array', 'object'].map(withArticle), [
      'an i32',
      'an f32',
      'an f16',
      'a u32',
      'a u8',
      'an i8',
      'an Int32Array',
      'a Uint32Array',
      'a Float32Array',
      'an object',
    ]);
  });

  test('an error prints its hint once: in the message, not again as a property', () => {
    const e = new ArgumentError('x', 'bad', 'do this instead');
    assert.equal(e.hint, 'do this instead');
    // What printing an error shows: its stack (message included) and its enumerable properties.
    const printed = `${e.stack}\n${JSON.stringify({ ...e })}`;
    assert.equal(printed.split('do this instead').length - 1, 1);
    assert.ok(!Object.keys(e).includes('hint'));
  });
});
