// Before each test, one turn of the event loop. Most tests run the real CLI synchronously
// (spawnSync), and vitest awaits a synchronous test without giving the loop a turn: the replies
// to the worker's progress reports then wait behind a whole file of such tests, and past 60 s
// vitest's RPC gives up ("Timeout calling onTaskUpdate") although every test passed.
// setImmediate runs after the loop's poll phase, where those replies are read.
import { beforeEach } from 'vitest';

beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
