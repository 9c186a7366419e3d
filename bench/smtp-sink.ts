// A local SMTP sink for the newsletter benchmark, in its own process so it takes no CPU from the
// sender being measured: accepts every message, keeps nothing, reports its count over IPC.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

let accepted = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      accepted++;
      callback(null, `2.0.0 Ok: queued as ${accepted}`);
    });
  },
});
server.on('error', () => undefined);
server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.server.address() as AddressInfo).port });
});
process.on('message', (m: { type?: string }) => {
  if (m.type === 'count') process.send!({ count: accepted });
  if (m.type === 'reset') accepted = 0;
});
process.on('disconnect', () => process.exit(0));
