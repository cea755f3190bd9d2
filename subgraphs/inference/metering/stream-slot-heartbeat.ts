import type { Logger } from "../../../platform/logging/logger.ts";
import type { QuotaStore, Reservation } from "../../usage/quota/quota-store.ts";

export interface StreamSlotHeartbeatOptions {
  /** How often a running stream renews its slot, in milliseconds. Default a third of the store's lease, so two renewals may fail before the slot lapses. */
  renewEveryMillis?: number;
  /** The current time in epoch milliseconds, as the quota store counts it. Default `Date.now`; tests move it. */
  now?: () => number;
  logger: Logger;
}

/**
 * Keeps the stream slots of running streams held: each admitted stream's lease is renewed every
 * `renewEveryMillis` until the stream settles. A replica that dies stops renewing, so its slots
 * free within one lease (STREAM_SLOT_LEASE_SECONDS), and a stream of any length keeps its slot.
 */
export class StreamSlotHeartbeat {
  readonly #quotas: QuotaStore;
  readonly #renewEveryMillis: number;
  readonly #now: () => number;
  readonly #logger: Logger;

  constructor(quotas: QuotaStore, options: StreamSlotHeartbeatOptions) {
    this.#quotas = quotas;
    this.#renewEveryMillis = options.renewEveryMillis ?? Math.max(1, Math.floor(quotas.streamLeaseMillis / 3));
    if (!Number.isSafeInteger(this.#renewEveryMillis) || this.#renewEveryMillis < 1) throw new RangeError(`renewEveryMillis must be a whole number of milliseconds, at least 1; got ${this.#renewEveryMillis}`);
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
  }

  /**
   * Renews `reservation`'s slot until the returned function is called (before the settle). A
   * failed renewal is logged and tried again at the next beat; if the store stays away the lease
   * lapses, as it would for a dead holder. Stops by itself once the store says the reservation is
   * settled. Does nothing for a reservation that holds no slot.
   */
  hold(reservation: Reservation): () => void {
    if (!reservation.stream) return () => {};
    let stopped = false;
    let renewing = false;
    const beat = () => {
      // One renewal at a time: a slow store must not pile up calls.
      if (stopped || renewing) return;
      renewing = true;
      this.#quotas
        .renewStreamLease(reservation, this.#now())
        .then((held) => {
          if (!held) stop();
        })
        .catch((error: unknown) => this.#logger.warn("could not renew a stream slot; retrying at the next beat", { reservationId: reservation.reservationId, error }))
        .finally(() => {
          renewing = false;
        });
    };
    const timer = setInterval(beat, this.#renewEveryMillis);
    timer.unref();
    const stop = () => {
      stopped = true;
      clearInterval(timer);
    };
    return stop;
  }
}
