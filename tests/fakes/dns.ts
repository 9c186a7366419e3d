// A small DNS server on 127.0.0.1 (UDP, random port) answering TXT questions from a table the test sets,
// NXDOMAIN for names it does not know: what `herald doctor` meets when it looks up DKIM, SPF and DMARC.
// Packets are read and written by dns-packet (RFC 1035 wire format).
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as packet from 'dns-packet';

export interface FakeDns {
  /** `127.0.0.1:<port>`, for Resolver.setServers / `herald doctor --dns`. */
  server: string;
  /** TXT records by name (lower case); each record is one string (split into 255-byte chunks on the wire). */
  txt: Map<string, string[]>;
  /** Questions received, as "TYPE name". */
  questions: string[];
  close(): Promise<void>;
}

export async function startFakeDns(records: Record<string, string[]> = {}): Promise<FakeDns> {
  const txt = new Map(Object.entries(records).map(([name, values]) => [name.toLowerCase(), values]));
  const questions: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    let query: packet.Packet;
    try {
      query = packet.decode(message);
    } catch {
      return; // not DNS: a real server drops it too
    }
    const question = query.questions?.[0];
    if (!question) return;
    questions.push(`${question.type} ${question.name}`);
    const name = question.name.toLowerCase();
    const known = txt.get(name);
    const answers: packet.Answer[] =
      question.type === 'TXT' && known
        ? known.map((value) => ({
            type: 'TXT',
            name: question.name,
            ttl: 60,
            class: 'IN',
            data: chunks(value),
          }))
        : [];
    const response = packet.encode({
      type: 'response',
      id: query.id,
      // RD copied from the query, RA set; NXDOMAIN (rcode 3) for a name with no records at all.
      flags: ((query.flags ?? 0) & packet.RECURSION_DESIRED) | packet.RECURSION_AVAILABLE | (known ? 0 : 3),
      questions: [question],
      answers,
    });
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    server: `127.0.0.1:${port}`,
    txt,
    questions,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** A TXT string longer than 255 bytes is sent as several character-strings, as DNS servers do. */
function chunks(value: string): Buffer[] {
  const bytes = Buffer.from(value);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) parts.push(bytes.subarray(i, i + 255));
  return parts.length ? parts : [Buffer.alloc(0)];
}
