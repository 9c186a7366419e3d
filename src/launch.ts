// The `herald` command's entry (bin/herald.js): long-running commands get their heap bound, then main.ts runs.
import { heapBoundArgs, runBounded } from './cli/launcher.js';

const bounded = heapBoundArgs(process.argv, process.execArgv, process.env, process.cwd());
if (bounded) runBounded(bounded);
else await import('./main.js');
