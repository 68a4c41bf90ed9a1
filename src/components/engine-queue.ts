// Which of a page's engines (workbook.ts: two DuckDB-WASM workers) runs which query, and when. A
// filter change asks all of a page's queries in the same task. The queue waits for that task to
// end before it hands out an engine, so it sees them all, then starts the costliest first (by the
// size of what it reads: the caller's estimate). The longest query then starts at once instead
// of waiting behind shorter ones, and the shorter ones share the other engine. A statement that
// changes the engines (SET, CREATE TABLE: every()) runs on all of them, after the queries asked
// before it and before the queries asked after it.

interface Waiting<Engine> {
  /** Estimated cost: the costliest waiting question is given the next engine free. */
  cost: number;
  /** null for a question, which needs one engine; the engines gathered so far for a change, which needs them all. */
  gathered: Engine[] | null;
  give(engines: Engine[]): void;
}

export class EngineQueue<Engine> {
  private readonly idle: Engine[] = [];
  private readonly waiting: Waiting<Engine>[] = [];
  private engines = 0;
  private dispatchComing = false;
  /** Engines taken out (withdraw), each with what resolves once it is idle. */
  private readonly withdrawn = new Map<Engine, () => void>();
  /** Engines held (hold) once they come free, each with what resolves then. */
  private readonly holding = new Map<Engine, () => void>();

  /** `inNextTask` runs a callback once the current task is over (workbook.ts: a MessageChannel message). */
  constructor(private readonly inNextTask: (callback: () => void) => void) {}

  /** How many engines the queue gives questions and changes to (added, not withdrawn). */
  get size(): number {
    return this.engines;
  }

  /** An engine that opened, free from now on. */
  add(engine: Engine): void {
    this.engines++;
    this.done(engine);
  }

  /** One engine for a question; among questions waiting together, the costliest is served first. */
  one(cost: number): Promise<Engine> {
    return new Promise((resolve) => this.wait({cost, gathered: null, give: ([engine]) => resolve(engine)}));
  }

  /** Every engine, once the questions asked before are running; those asked after wait for it. */
  every(): Promise<Engine[]> {
    return new Promise((resolve) => this.wait({cost: 0, gathered: [], give: resolve}));
  }

  /** An engine done with what it was given (or held for: hold). */
  done(engine: Engine): void {
    const held = this.holding.get(engine);
    const withdrawn = this.withdrawn.get(engine);
    // A hold asked before a withdrawal is given first: the holder's own done() comes after.
    if (held) {
      this.holding.delete(engine);
      held();
    } else if (withdrawn) withdrawn();
    else this.idle.push(engine);
    this.dispatch();
  }

  /**
   * Holds an engine for work of the caller's own: it is given no question until the caller says
   * it is done (done), and a change waits for it. Resolves once it is held: at once when idle,
   * else (running something, or not added yet) when it next comes free, before any question.
   */
  hold(engine: Engine): Promise<void> {
    const at = this.idle.indexOf(engine);
    if (at >= 0) {
      this.idle.splice(at, 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.holding.set(engine, resolve));
  }

  /**
   * Takes an engine out: it is given nothing more, and a change no longer waits for it. Resolves
   * once it is idle (at once, or when what it runs now is done), when it may be closed.
   */
  withdraw(engine: Engine): Promise<void> {
    this.engines--;
    // Idle, or gathered by a change still waiting for the others: it runs nothing, so it is taken
    // back at once, and the change goes to the engines left.
    const held = [this.idle, ...this.waiting.map((waiting) => waiting.gathered ?? [])].find((engines) => engines.includes(engine));
    held?.splice(held.indexOf(engine), 1);
    const idle = held ? Promise.resolve() : new Promise<void>((resolve) => this.withdrawn.set(engine, resolve));
    this.dispatch();
    return idle;
  }

  private wait(waiting: Waiting<Engine>): void {
    this.waiting.push(waiting);
    if (this.dispatchComing) return;
    this.dispatchComing = true;
    this.inNextTask(() => {
      this.dispatchComing = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    // Until the task that asked has ended, the queries it asked are not all in.
    if (this.dispatchComing) return;
    while (this.waiting.length > 0) {
      const first = this.waiting[0];
      if (first.gathered !== null) {
        // A change gathers the engines as they come free, and goes once it has them all (or as
        // many as are left, when one was withdrawn meanwhile).
        first.gathered.push(...this.idle.splice(0));
        if (first.gathered.length < this.engines || this.engines === 0) return;
        this.waiting.shift();
        first.give(first.gathered);
        continue;
      }
      if (this.idle.length === 0) return;
      // The costliest of the questions before the next change (or the end).
      const changeAt = this.waiting.findIndex((waiting) => waiting.gathered !== null);
      const questions = changeAt < 0 ? this.waiting.length : changeAt;
      let costliest = 0;
      for (let index = 1; index < questions; index++) if (this.waiting[index].cost > this.waiting[costliest].cost) costliest = index;
      const [question] = this.waiting.splice(costliest, 1);
      question.give([this.idle.shift()!]);
    }
  }
}
