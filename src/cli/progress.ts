/** A one-line progress bar for terminals, redrawn in place with `\r`. */
export class ProgressBar {
  #done = 0;
  readonly #total: number;
  readonly #stream: NodeJS.WriteStream;
  readonly #width: number;

  constructor(total: number, stream: NodeJS.WriteStream, width = 30) {
    this.#total = Math.max(1, total);
    this.#stream = stream;
    this.#width = width;
  }

  /** Draws the bar with `label` after it. */
  render(label: string): void {
    const filled = Math.round((this.#done / this.#total) * this.#width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(this.#width - filled)}] ${this.#done}/${this.#total}`;
    this.#stream.write(`\r${bar} ${label}`.padEnd(this.#width + 50).slice(0, 120));
  }

  /** Counts one step done. */
  tick(label: string): void {
    this.#done = Math.min(this.#total, this.#done + 1);
    this.render(label);
  }

  /** Ends the line, leaving the final state visible. */
  finish(): void {
    this.#stream.write('\n');
  }
}
