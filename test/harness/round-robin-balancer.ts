/**
 * A per-connection round-robin TCP balancer on 127.0.0.1, as a Kubernetes ClusterIP Service is
 * (kube-proxy picks a backend per connection, never per request): each new connection goes to the
 * next backend in turn and stays there for its life, HTTP keep-alive and WebSocket alike. A backend
 * that refuses the connection is skipped for that connection, as kube-proxy stops sending to a pod
 * once its endpoint is gone; a connection that reaches no backend is closed at once.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";

export interface BalancerBackend {
  host: string;
  port: number;
}

export class RoundRobinBalancer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #backends: BalancerBackend[];
  #next = 0;
  /** Connections handed to each backend, by `host:port`. */
  readonly connectionsByBackend = new Map<string, number>();

  private constructor(server: Server, backends: BalancerBackend[]) {
    this.#server = server;
    this.#backends = backends;
  }

  /** Listens on a free loopback port in front of `backends` (`http://host:port...` URLs or host/port pairs). */
  static async start(backends: readonly (string | BalancerBackend)[]): Promise<RoundRobinBalancer> {
    const server = createServer();
    const balancer = new RoundRobinBalancer(server, backends.map(toBackend));
    server.on("connection", (client) => balancer.#forward(client));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return balancer;
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Replaces the backends (a Service's endpoints changing); open connections stay where they are. */
  setBackends(backends: readonly (string | BalancerBackend)[]): void {
    this.#backends = backends.map(toBackend);
  }

  #forward(client: Socket): void {
    this.#track(client);
    client.pause();
    const backends = this.#backends;
    // This connection's turn; a refused backend passes it to the following ones, never back to the same.
    const first = this.#next;
    this.#next += 1;
    const attempt = (tried: number) => {
      if (tried >= backends.length) {
        client.destroy();
        return;
      }
      const backend = backends[(first + tried) % backends.length] as BalancerBackend;
      const upstream = connect(backend.port, backend.host);
      // Refused (the backend is gone): the next one; errors after the connection are handled below.
      const refused = () => attempt(tried + 1);
      upstream.once("error", refused);
      upstream.once("connect", () => {
        upstream.off("error", refused);
        const name = `${backend.host}:${backend.port}`;
        this.connectionsByBackend.set(name, (this.connectionsByBackend.get(name) ?? 0) + 1);
        this.#track(upstream);
        // Either side ending or failing ends the other, as a proxied TCP connection does.
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
        client.on("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function toBackend(backend: string | BalancerBackend): BalancerBackend {
  if (typeof backend !== "string") return backend;
  const url = new URL(backend);
  return { host: url.hostname, port: Number(url.port) };
}
