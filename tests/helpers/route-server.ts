// A tiny HTTP server on 127.0.0.1 whose answers the test sets per path (404 for the others).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface RouteServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  base: string;
  close(): Promise<void>;
}

export async function startRouteServer(
  routes: Map<string, Handler>,
  onRequest: (req: IncomingMessage) => void = () => undefined,
): Promise<RouteServer> {
  const server = createServer((req, res) => {
    onRequest(req);
    (routes.get(req.url ?? '') ?? ((_q, r: ServerResponse) => r.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
