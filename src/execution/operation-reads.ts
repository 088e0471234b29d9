/**
 * What one operation touched, as far as caching its response goes: the sources
 * it read and wrote (every access goes through the context's `source` and
 * `writer`), and whether it read state of the gateway's own that no source's
 * webhook announces a change of (the event log, outbound endpoints).
 */
export class OperationReads {
  readonly sources = new Set<string>();
  readonly written = new Set<string>();
  #gatewayState = false;

  /** Marks the response as depending on the gateway's own changing state: it is never cached. */
  readGatewayState(): void {
    this.#gatewayState = true;
  }

  get cacheable(): boolean {
    return !this.#gatewayState;
  }

  /** Takes on what another operation read (an identical query whose execution this one shared). */
  adopt(other: OperationReads): void {
    for (const source of other.sources) this.sources.add(source);
    for (const source of other.written) this.written.add(source);
    if (!other.cacheable) this.#gatewayState = true;
  }
}
