import type pg from 'pg';

/**
 * COPY … FROM STDIN with the pg driver alone (no pg-copy-streams): a "submittable" query that answers the
 * server's CopyInResponse by sending the rows as CopyData messages, then CopyDone. Text format: columns
 * separated by tabs, NULL as \N, backslash, tab, newline and carriage return escaped.
 */
class CopyFromRows {
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private error: Error | undefined;
  private rowCount = 0;
  readonly done: Promise<number>;

  constructor(private readonly text: string, private readonly rows: ReadonlyArray<ReadonlyArray<unknown>>) {
    this.done = new Promise((resolve, reject) => { this.resolve = resolve; this.reject = reject; });
  }

  submit(connection: any): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: any): void {
    const CHUNK_ROWS = 2_000;
    for (let start = 0; start < this.rows.length; start += CHUNK_ROWS) {
      let chunk = '';
      const end = Math.min(this.rows.length, start + CHUNK_ROWS);
      for (let i = start; i < end; i++) {
        const row = this.rows[i];
        let line = copyField(row[0]);
        for (let k = 1; k < row.length; k++) line += '\t' + copyField(row[k]);
        chunk += line + '\n';
      }
      connection.sendCopyFromChunk(Buffer.from(chunk, 'utf8'));
    }
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text?: string }): void {
    const m = /COPY (\d+)/.exec(message.text ?? '');
    if (m) this.rowCount = Number(m[1]);
  }

  handleError(error: Error): void {
    this.error = error;
    this.reject(error);
  }

  handleReadyForQuery(): void {
    if (!this.error) this.resolve(this.rowCount);
  }

  // The server sends none of these for COPY FROM; present because the client calls them on any active query.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

const SPECIAL = /[\\\t\n\r]/;

function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  const text = String(value);
  // Most fields hold none of the four characters: test once, replace only when needed.
  if (!SPECIAL.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Runs `copy <table> (<columns>) from stdin` on this client with these rows; resolves to the row count. */
export function copyRows(client: pg.ClientBase, statement: string, rows: ReadonlyArray<ReadonlyArray<unknown>>): Promise<number> {
  const copy = new CopyFromRows(statement, rows);
  void client.query(copy as unknown as pg.QueryConfig);
  return copy.done;
}
