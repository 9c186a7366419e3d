// Child process for write-atomic.test.ts: replaces the file again and again until it is killed.
import { writeFileAtomic } from '../../src/feed/write-atomic.js';

const [path, size] = process.argv.slice(2);
if (!path || !size) throw new Error('usage: atomic-writer-child <path> <size>');
const versions = ['B', 'C'].map((letter) => letter.repeat(Number(size)));
for (let i = 0; ; i++) {
  await writeFileAtomic(path, versions[i % 2] ?? '');
  if (i === 0) process.stdout.write('ready\n');
}
