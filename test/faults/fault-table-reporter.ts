import { clearFaultRows, formatFaultTable, readFaultRows } from './fault-table.ts';

/**
 * Vitest reporter for `npm run test:faults`: starts the run with an empty fault table and prints it at the
 * end (fault, records expected, found, duplicates, recovery seconds). Registered next to the default
 * reporter on the command line only, so plain `npm test` is unchanged.
 */
export default class FaultTableReporter {
  onInit(): void {
    clearFaultRows();
  }

  onTestRunEnd(): void {
    const rows = readFaultRows();
    const out = rows.length === 0 ? '(no fault rows recorded)' : formatFaultTable(rows);
    process.stdout.write(`\nFault table\n${out}\n`);
  }
}
