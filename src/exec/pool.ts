// Pools: named counters with a capacity (0 = unlimited). A job takes all the units it asks
// for at once or none, so no pool is ever exceeded.
export type Request = Array<[string, number]>;

export class Pools {
  private readonly used = new Map<string, number>();

  constructor(private readonly capacity: Record<string, number>) {}

  capacityOf(name: string): number {
    return this.capacity[name] ?? 0;
  }

  inUse(name: string): number {
    return this.used.get(name) ?? 0;
  }

  /** A request that can never fit (bigger than a pool): a configuration error. */
  impossible(req: Request): string | undefined {
    for (const [name, n] of req) {
      const cap = this.capacityOf(name);
      if (cap > 0 && n > cap) return `needs ${n} of pool '${name}', which holds ${cap}`;
    }
    return undefined;
  }

  fits(req: Request): boolean {
    for (const [name, n] of req) {
      const cap = this.capacity[name] ?? 0;
      if (cap > 0 && (this.used.get(name) ?? 0) + n > cap) return false;
    }
    return true;
  }

  take(req: Request): void {
    for (const [name, n] of req) this.used.set(name, (this.used.get(name) ?? 0) + n);
  }

  give(req: Request): void {
    for (const [name, n] of req) this.used.set(name, (this.used.get(name) ?? 0) - n);
  }
}
