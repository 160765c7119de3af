/**
 * Draws the synthetic test picture of the image-filter example (a landscape with a house, a
 * tree, mountains and the sun: shapes with sharp and soft edges), as RGBA bytes. The committed
 * `examples/assets/scene.png` was made with it:
 * `node dist/examples/make-scene.js examples/assets/scene.png [width] [height]`
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { isMain } from './is-main.js';

type RGB = readonly [number, number, number];

/** The scene at `width × height`, RGBA, row after row; every length scales with the width. */
export function makeScene(width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  const s = width / 320;
  const horizon = height * 0.62;
  let seed = 12345;
  const noise = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return ((seed >>> 16) & 0xff) / 255 - 0.5;
  };
  const mix = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c: RGB;
      if (y < horizon) {
        c = mix([70, 120, 200], [190, 215, 240], y / horizon); // sky
        const far = horizon - 70 * s + Math.abs(x - 90 * s) * 0.9; // mountains
        const near = horizon - 45 * s + Math.abs(x - 200 * s) * 0.6;
        if (y > far) c = mix([110, 110, 130], [240, 240, 250], Math.max(0, Math.min(1, (far + 14 * s - y) / (14 * s))));
        if (y > near) c = [95, 120, 95];
        const sun = Math.hypot(x - 262 * s, y - 42 * s);
        if (sun < 24 * s) c = [250, 215, 90];
        else if (sun < 34 * s && y < far && y < near) c = mix([250, 230, 150], c, (sun - 24 * s) / (10 * s));
      } else {
        c = mix([90, 160, 70], [60, 120, 45], (y - horizon) / (height - horizon)); // field
        if (Math.floor((y - horizon) / (6 * s)) % 2 === 0) c = mix(c, [120, 180, 80], 0.25);
      }
      // A house: walls, a roof, a door and a window.
      const hx = x - 120 * s;
      const hy = y - (horizon - 10 * s);
      if (hx > 0 && hx < 70 * s && hy > 0 && hy < 45 * s) c = [200, 170, 130];
      if (hy <= 0 && hy > -30 * s && Math.abs(hx - 35 * s) < 42 * s + hy * 1.4) c = [170, 60, 50];
      if (hx > 12 * s && hx < 28 * s && hy > 18 * s && hy < 45 * s) c = [100, 65, 40];
      if (hx > 40 * s && hx < 60 * s && hy > 10 * s && hy < 26 * s) c = hx > 49 * s && hx < 51 * s ? [230, 230, 230] : [120, 170, 210];
      // A tree: a trunk and a round crown.
      if (Math.abs(x - 240 * s) < 5 * s && y > horizon - 5 * s && y < horizon + 35 * s) c = [110, 75, 45];
      if (Math.hypot(x - 240 * s, y - (horizon - 15 * s)) < 24 * s) c = [50, 110, 50];
      const n = noise() * 4;
      const i = (y * width + x) * 4;
      out[i] = Math.max(0, Math.min(255, Math.round(c[0] + n)));
      out[i + 1] = Math.max(0, Math.min(255, Math.round(c[1] + n)));
      out[i + 2] = Math.max(0, Math.min(255, Math.round(c[2] + n)));
      out[i + 3] = 255;
    }
  }
  return out;
}

/** The scene as PNG bytes (RGB). */
export function scenePng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(makeScene(width, height));
  return PNG.sync.write(png, { colorType: 2 });
}

if (isMain(import.meta.url)) {
  const [out = 'scene.png', w = '320', h = '240'] = process.argv.slice(2);
  writeFileSync(out, scenePng(Number(w), Number(h)));
  console.log(`wrote ${out} (${w}×${h})`);
}
