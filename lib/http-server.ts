import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * Binds a Node HTTP server before its handler exists, so a server on port 0 knows its own URL (the
 * issuer) before the handler that needs it is built.
 */
export async function listen(host: string, port: number): Promise<ListeningServer> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Attaches a handler; an exception becomes a 500 JSON answer instead of a hung socket. */
export function handle(server: Server, handler: NodeHandler): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      console.error(
        JSON.stringify({ level: 'error', event: 'request_failed', message: (error as Error)?.message }),
      );
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'server_error', message: 'Internal error' }));
      } else {
        res.destroy();
      }
    });
  });
}

export const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?')[0] ?? '/';
