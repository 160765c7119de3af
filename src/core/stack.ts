/**
 * A last-in first-out stack that keeps its backing array: popping only moves the top. A plain
 * array that toggles between empty and one element reallocates its backing store on every push
 * (V8 trims it on the pop that empties it), so a create/destroy loop would allocate on each cycle;
 * this one allocates only when it grows past its largest size so far. Popped entries are cleared,
 * so the stack never keeps an object alive.
 */
export class Stack<T> {
  readonly #items: (T | undefined)[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#items.length) this.#items.push(item);
    else this.#items[this.#size] = item;
    this.#size++;
  }

  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[--this.#size];
    this.#items[this.#size] = undefined;
    return item;
  }

  /** Empties the stack, calling `each` for every item (last pushed first). */
  drain(each: (item: T) => void): void {
    while (this.#size > 0) each(this.pop()!);
  }
}
