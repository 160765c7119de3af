/** Times variants of one piece of work against each other, rotating their order every round. */
export async function compareVariants(variants: readonly (readonly [string, () => Promise<unknown>])[], perRound: number, warmup: number): Promise<void> {
  const rounds = 7;
  const results = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (const [, f] of variants) for (let i = 0; i < warmup; i++) await f();
  for (let r = 0; r < rounds; r++) {
    const shift = r % variants.length;
    for (const [name, f] of [...variants.slice(shift), ...variants.slice(0, shift)]) {
      const t = performance.now();
      for (let i = 0; i < perRound; i++) await f();
      results.get(name)!.push(((performance.now() - t) / perRound) * 1000);
    }
  }
  for (const [name, v] of results) {
    v.sort((x, y) => x - y);
    console.log(`${name.padEnd(46)} median ${v[3]!.toFixed(1)} us  (min ${v[0]!.toFixed(1)}, max ${v[rounds - 1]!.toFixed(1)})`);
  }
}
