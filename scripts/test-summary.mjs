// Prints the suite's closing line ("N passed, N failed, N skipped") from vitest's JSON reports (the main
// suite and the chaos suite), and fails when any test failed or none ran.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  } catch (error) {
    console.log(`tests: no report at ${file} (${error.message})`);
    failed++;
  }
}
console.log('');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0) {
  console.log('tests: no test ran');
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
