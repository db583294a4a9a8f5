/** Name → entry registries (archs, degradations, metrics, losses, schedulers); unknown names list valid ones. */
export class Registry<T> {
  readonly #entries = new Map<string, T>();

  constructor(readonly kind: string) {}

  register(name: string, entry: T): this {
    if (this.#entries.has(name)) throw new Error(`${this.kind} '${name}' is already registered`);
    this.#entries.set(name, entry);
    return this;
  }

  get(name: string): T {
    const e = this.#entries.get(name);
    if (e === undefined) {
      throw new Error(`unknown ${this.kind} '${name}'; valid: ${[...this.#entries.keys()].sort().join(', ')}`);
    }
    return e;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** Names, optionally filtered by a glob with `*` wildcards (timm's list_models). */
  list(pattern?: string): string[] {
    const names = [...this.#entries.keys()].sort();
    if (!pattern) return names;
    const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return names.filter((n) => re.test(n));
  }
}
