import { usePrivateUmask } from './ops/file-modes.js';
import { main } from './cli/index.js';

usePrivateUmask(); // before anything is created: every file Herald makes is private to its user
await main(process.argv);
