interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Per item: undefined when it was written, else why it was not. */
export type BatchOutcome = Array<unknown>;

/**
 * Gathers items submitted one by one (one per queue job) into batches: a batch is written when it is
 * full or `lingerMs` after its first item. Each submitter's promise settles with its own item's outcome
 * in the batch write, so a job completes only once its record is committed.
 */
export class PassBatcher<T> {
  private pending: Array<Pending<T>> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<BatchOutcome>,
    private readonly batchSize: number,
    private readonly lingerMs: number,
  ) {}

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.batchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  /** Writes what is waiting now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    this.write(batch.map((p) => p.item)).then(
      (outcomes) => batch.forEach((p, i) => (outcomes[i] === undefined ? p.resolve() : p.reject(outcomes[i]))),
      (error: unknown) => { for (const p of batch) p.reject(error); },
    );
  }
}
