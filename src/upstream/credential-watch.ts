import type { UpstreamAttempt } from './types.ts';

/** What the gateway last learned about a source's credentials from the source itself. */
export interface CredentialVerdict {
  /** `accepted`: the last answered call was not refused for its credentials; `rejected`: HTTP 401; `forbidden`: HTTP 403. */
  verdict: 'accepted' | 'rejected' | 'forbidden';
  /** When that answer came. */
  at: Date;
  /** The call it came from (`invoices.list`). */
  operation: string;
}

/**
 * Remembers, per source, how the upstream last judged the gateway's
 * credentials, from the attempts every call reports: a 401 means the key is
 * wrong or revoked, a 403 that it lacks a permission, any other answer that it
 * works. Connection failures and timeouts say nothing about credentials.
 */
export class CredentialWatch {
  private readonly verdicts = new Map<string, CredentialVerdict>();
  private readonly listeners = new Set<(source: string, verdict: CredentialVerdict) => void>();

  /** Calls `listener` when a source's verdict changes (the first verdict counts as a change). Returns the unsubscribe. */
  onChange(listener: (source: string, verdict: CredentialVerdict) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes one finished attempt (wire it to `UpstreamOptions.onAttempt`). */
  note(attempt: Pick<UpstreamAttempt, 'source' | 'status' | 'operation'>, at: Date = new Date()): void {
    if (attempt.status === undefined) return;
    const verdict = attempt.status === 401 ? 'rejected' : attempt.status === 403 ? 'forbidden' : 'accepted';
    const previous = this.verdicts.get(attempt.source)?.verdict;
    const next = { verdict, at, operation: attempt.operation } as const;
    this.verdicts.set(attempt.source, next);
    if (previous === verdict) return;
    for (const listener of this.listeners) {
      try {
        listener(attempt.source, next);
      } catch {
        // A listener failing must not fail the call that was observed.
      }
    }
  }

  /** The last verdict about `source`, or undefined when it has not answered yet. */
  verdict(source: string): CredentialVerdict | undefined {
    return this.verdicts.get(source);
  }
}
