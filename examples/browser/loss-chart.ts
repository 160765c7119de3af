/** An SVG line chart of the mean loss per iteration (no chart library: a polyline and two axes). */
export function lossChartSvg(losses: readonly number[], width = 640, height = 240): string {
  const pad = { left: 52, right: 12, top: 12, bottom: 34 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(...losses);
  const min = Math.min(0, ...losses);
  const span = max - min || 1;
  const x = (i: number): number => pad.left + (losses.length > 1 ? (i / (losses.length - 1)) * plotW : 0);
  const y = (v: number): number => pad.top + (1 - (v - min) / span) * plotH;
  const points = losses.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => min + f * span);
  const yTicks = ticks
    .map(
      (v) =>
        `<line x1="${pad.left - 4}" x2="${width - pad.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e7ee"/>` +
        `<text x="${pad.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(2)}</text>`,
    )
    .join('');
  const last = losses.length - 1;
  const xTicks = [0, Math.round(last / 2), last].map((i) => `<text x="${x(i).toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="middle">${i + 1}</text>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">` +
    `<title>Mean loss per iteration</title>${yTicks}${xTicks}` +
    `<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#888"/>` +
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${height - pad.bottom}" y2="${height - pad.bottom}" stroke="#888"/>` +
    `<polyline fill="none" stroke="#2f6fde" stroke-width="2" points="${points}"/>` +
    `<text x="${pad.left + plotW / 2}" y="${height - 4}" text-anchor="middle">iteration</text>` +
    `<text x="12" y="${pad.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 12 ${pad.top + plotH / 2})">mean loss</text></svg>`
  );
}
