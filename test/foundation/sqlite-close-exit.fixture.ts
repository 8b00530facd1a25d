// Run by sqlite-checkpointer.test.ts in its own process: opens the hub's SQLite database in the folder given,
// runs a query, closes it and sets an exit code. A close() that never resumes ends the process with 13.
import { openDatabase } from '../../api/kernel/db/database.ts';

const database = openDatabase({ url: '', dataDir: process.argv[2]! });
await database.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
await database.close();
process.exitCode = 3;
