/**
 * Copies with images (issue 7): image → image, tensor → image and image → tensor through every
 * memory type, odd widths (rows that are not a multiple of WebGPU's 256-byte bytesPerRow), and
 * the errors for mismatched sizes and dtypes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ArgumentError, DTypeError, type Image, type Manager, type Memory, MemoryType, OpCopy, OpMult, OpSyncDevice, OpSyncLocal, SizeError, type Tensor } from '../src/index.js';
import { createManager, readBack } from './helpers.js';
import { readImage } from './image-helpers.js';

const TYPES = [MemoryType.Device, MemoryType.Host, MemoryType.DeviceAndHost, MemoryType.Storage] as const;

describe('image copies', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  async function read(m: Memory): Promise<number[]> {
    return m.kind === 'image' ? readImage(mgr, m as Image) : readBack(mgr, m as Tensor);
  }

  const DIRECTIONS = ['image → image', 'tensor → image', 'image → tensor'] as const;
  for (const direction of DIRECTIONS) {
    test(`OpCopy ${direction} from every memory type to every memory type (3×2 RGBA, a 48-byte row)`, async () => {
      const [w, h, c] = [3, 2, 4] as const;
      let k = 0;
      for (const from of TYPES) {
        for (const to of TYPES) {
          k++;
          const values = Array.from({ length: w * h * c }, (_, i) => k * 100 + i);
          const source: Memory = direction === 'tensor → image' ? mgr.tensor(values, { type: from }) : mgr.image(values, w, h, c, { type: from });
          const target: Memory = direction === 'image → tensor' ? mgr.tensor(w * h * c, 'f32', { type: to }) : mgr.image(null, w, h, c, { type: to });
          const seq = mgr.sequence();
          await seq.eval(new OpSyncDevice([source]), new OpCopy([source, target]));
          if (to !== MemoryType.Storage) assert.deepEqual(Array.from(target.data()), values, `${from} -> ${to}: host data of the target refreshed`);
          assert.deepEqual(await read(target), values, `${from} -> ${to}`);
          seq.destroy();
          source.destroy();
          target.destroy();
        }
      }
    });
  }

  for (const channels of [1, 4] as const) {
    for (const width of [1, 3, 63, 64, 65, 257]) {
      test(`width ${width}, ${channels} channel(s): host → image → image → host and tensor → image → tensor keep every row intact`, async () => {
        const height = 3;
        const n = width * height * channels;
        const values = Float32Array.from({ length: n }, (_, i) => i + 0.25);
        using a = mgr.image(values, width, height, channels);
        using b = mgr.image(null, width, height, channels);
        using t = mgr.tensor(values);
        using c = mgr.image(null, width, height, channels, { type: MemoryType.Storage });
        using back = mgr.tensor(n, 'f32');
        using seq = mgr.sequence();
        await seq.eval(new OpSyncDevice([a, t]), new OpCopy([a, b]), new OpCopy([t, c]), new OpCopy([c, back]), new OpSyncLocal([b, back]));
        assert.deepEqual(Array.from(b.data()), Array.from(values), 'image → image');
        assert.deepEqual(Array.from(back.data()), Array.from(values), 'tensor → image → tensor');
      });
    }
  }

  test('8- and 16-bit RGBA images of odd widths (4- and 8-byte texels) keep every row through host → image → image → host', async () => {
    for (const dtype of ['u8', 'i16'] as const) {
      for (const width of [1, 3, 63, 64, 65, 257]) {
        const height = 5;
        const n = width * height * 4;
        const values = Array.from({ length: n }, (_, i) => (dtype === 'u8' ? (i * 7) % 256 : ((i * 7) % 2000) - 1000));
        using a = mgr.image(values, width, height, 4, { dtype });
        using b = mgr.image(null, width, height, 4, { dtype });
        using seq = mgr.sequence();
        await seq.eval(new OpSyncDevice([a]), new OpCopy([a, b]));
        assert.deepEqual(Array.from(b.data()), values, `${dtype}, width ${width}`);
      }
    }
  });

  test('an image over 64 KiB with 4-byte-odd rows (width 301, RGBA f32) round-trips through a tensor', async () => {
    const [w, h] = [301, 67];
    const values = Float32Array.from({ length: w * h * 4 }, (_, i) => (i * 37) % 1000);
    using image = mgr.image(values, w, h, 4);
    using t = mgr.tensor(values.length, 'f32');
    using copy = mgr.image(null, w, h, 4);
    using seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([image]), new OpCopy([image, t]), new OpCopy([t, copy]), new OpSyncLocal([copy]));
    assert.deepEqual(Array.from(t.data()), Array.from(values));
    assert.deepEqual(Array.from(copy.data()), Array.from(values));
  });

  test('one source copies into several targets of both kinds in one operation; integer dtypes copy too', async () => {
    const values = [1, -2, 3, -4, 5, -6];
    using source = mgr.image(new Int32Array(values), 3, 1, 2, { type: MemoryType.Storage });
    const targets: Memory[] = [mgr.image(null, 3, 1, 2, { dtype: 'i32' }), mgr.tensor(6, 'i32'), mgr.image(null, 3, 1, 2, { dtype: 'i32', type: MemoryType.Host })];
    using seq = mgr.sequence();
    await seq.eval(new OpCopy([source, ...targets]));
    for (const t of targets) assert.deepEqual(Array.from(t.data()), values, t.label);
    for (const t of targets) t.destroy();
  });

  test('8-bit images copy between images (RGBA u8)', async () => {
    const values = Uint8Array.from({ length: 5 * 3 * 4 }, (_, i) => (i * 11) % 256);
    using a = mgr.image(values, 5, 3, 4);
    using b = mgr.image(null, 5, 3, 4, { dtype: 'u8' });
    using seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a]), new OpCopy([a, b]));
    assert.deepEqual(Array.from(b.data()), Array.from(values));
  });

  describe('errors', () => {
    test('image → image of another width and height fails with SizeError, even with the same element count (16×1 to 1×16)', () => {
      using a = mgr.image(null, 16, 1, 1);
      using b = mgr.image(null, 1, 16, 1);
      using seq = mgr.sequence();
      assert.throws(
        () => seq.record(new OpCopy([a, b])),
        (e: unknown) => e instanceof SizeError && e.argument === 'tensors[1]' && /16×1 to 1×16/.test(e.message),
      );
      assert.equal(seq.getOperations().length, 0);
    });

    test('image → image of another channel count fails with SizeError; of another dtype with DTypeError', () => {
      using a = mgr.image(null, 2, 2, 4);
      using b = mgr.image(null, 2, 2, 2);
      using c = mgr.image(null, 2, 2, 4, { dtype: 'u32' });
      using seq = mgr.sequence();
      assert.throws(() => seq.record(new OpCopy([a, b])), SizeError);
      assert.throws(() => seq.record(new OpCopy([a, c])), DTypeError);
    });

    test('tensor ↔ image with another element count fails with SizeError; with another dtype with DTypeError', () => {
      using image = mgr.image(null, 3, 2, 1);
      using short = mgr.tensor(5, 'f32');
      using ints = mgr.tensor(6, 'i32');
      using bytes = mgr.image(null, 3, 2, 4, { dtype: 'u8' });
      using u32 = mgr.tensor(24, 'u32');
      using seq = mgr.sequence();
      assert.throws(
        () => seq.record(new OpCopy([short, image])),
        (e: unknown) => e instanceof SizeError && /5 elements to 6 elements/.test(e.message),
      );
      assert.throws(() => seq.record(new OpCopy([image, short])), SizeError);
      assert.throws(() => seq.record(new OpCopy([ints, image])), DTypeError);
      assert.throws(
        () => seq.record(new OpCopy([bytes, u32])),
        (e: unknown) => e instanceof DTypeError && /u8 to u32/.test(e.message),
      );
    });

    test('an image copied to itself fails with ArgumentError; OpMult refuses images', () => {
      using a = mgr.image(null, 2, 2, 1);
      using t = mgr.tensor(4, 'f32');
      assert.throws(
        () => mgr.sequence().record(new OpCopy([a, a])),
        (e: unknown) => e instanceof ArgumentError && /to itself/.test(e.message),
      );
      assert.throws(
        () => new OpMult([t, a as never, t]),
        (e: unknown) => e instanceof ArgumentError && e.argument === 'tensors[1]' && /image/.test(e.message),
      );
    });

    test('operations refuse values that are neither tensors nor images', () => {
      using a = mgr.image(null, 2, 2, 1);
      assert.throws(
        () => new OpSyncDevice([a, {} as never]),
        (e: unknown) => e instanceof ArgumentError && /not a Tensor or an Image/.test(e.message),
      );
    });
  });
});
