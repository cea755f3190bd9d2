import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/**
 * The endpoints (full GraphQL URLs, one per replica) a subgraph is served at now, given its name and
 * its configured URL. Injectable so tests (and other registries) can stand in for DNS.
 */
export type EndpointResolver = (serviceName: string, baseUrl: string) => Promise<string[]>;

/**
 * The default resolver: a configured list (`<NAME>_URLS`) when there is one; otherwise the A/AAAA
 * records of the URL's host name, each as its own endpoint (a Kubernetes headless Service resolves
 * to one record per ready pod). An IP literal, `localhost` or an `https:` URL (its certificate
 * names the host, not the pod) is one endpoint, the URL itself; so is a ClusterIP Service (one
 * virtual IP). Answers the URL itself when the name does not resolve, so the fetch reports why.
 */
export function defaultEndpointResolver(configuredLists: Readonly<Record<string, readonly string[]>>, lookupAddresses: AddressLookup = lookupAll): EndpointResolver {
  return async (serviceName, baseUrl) => {
    const configured = configuredLists[serviceName];
    if (configured !== undefined && configured.length > 0) return [...configured];
    const url = new URL(baseUrl);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (url.protocol !== "http:" || isIP(host) !== 0 || host === "localhost") return [baseUrl];
    const addresses = await lookupAddresses(host).catch(() => []);
    if (addresses.length === 0) return [baseUrl];
    return [...new Set(addresses.map(({ address, family }) => withHost(url, family === 6 ? `[${address}]` : address)))].sort();
  };
}

/** The addresses a host name resolves to (the system resolver's, /etc/hosts included). */
export type AddressLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const lookupAll: AddressLookup = (hostname) => lookup(hostname, { all: true });

function withHost(url: URL, host: string): string {
  const copy = new URL(url);
  copy.hostname = host;
  return copy.toString();
}

export interface EndpointDiscoveryOptions {
  serviceName: string;
  baseUrl: string;
  resolve: EndpointResolver;
  /** How often the endpoints are resolved again, in milliseconds; 0: once, at start. Default 5,000. */
  refreshMillis?: number;
  /** Hears every resolution (the same list included); a failed one keeps the last list and is not heard. */
  onEndpoints: (endpoints: string[]) => void;
}

/** Resolves a subgraph's endpoints at start and every `refreshMillis`; the last good list stands while a resolution fails. */
export class EndpointDiscovery {
  readonly #options: EndpointDiscoveryOptions;
  readonly #timer: NodeJS.Timeout | undefined;
  #resolving = false;
  #closed = false;

  constructor(options: EndpointDiscoveryOptions) {
    this.#options = options;
    const refreshMillis = options.refreshMillis ?? 5_000;
    void this.refresh();
    if (refreshMillis > 0) {
      this.#timer = setInterval(() => void this.refresh(), refreshMillis);
      this.#timer.unref();
    }
  }

  /** Resolves now (skipped while a resolution is running). */
  async refresh(): Promise<void> {
    if (this.#resolving || this.#closed) return;
    this.#resolving = true;
    try {
      const endpoints = await this.#options.resolve(this.#options.serviceName, this.#options.baseUrl);
      if (!this.#closed && endpoints.length > 0) this.#options.onEndpoints(endpoints);
    } catch {
      // The last list stands; the health checks tell whether its endpoints still answer.
    } finally {
      this.#resolving = false;
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }
}
