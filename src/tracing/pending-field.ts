import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { createContextKey, trace } from '@opentelemetry/api';

const PENDING = createContextKey('switchyard.pending-field');

/**
 * A field span not started yet: most resolvers answer synchronously from what
 * their parent loaded, and creating a span for each would cost more than the
 * resolver. It is started (with the resolver's start time) only when the field
 * turns out to wait (its resolver returned a promise) or when an upstream call
 * is made beneath it.
 */
export class PendingField {
  #span: Span | undefined;
  readonly #startTime = performance.timeOrigin + performance.now();

  readonly #tracer: Tracer;
  readonly #describe: () => { name: string; attributes: Attributes };
  readonly #parent: Context;

  /** `describe` names the span and gives its attributes, when it is started. */
  constructor(tracer: Tracer, describe: () => { name: string; attributes: Attributes }, parent: Context) {
    this.#tracer = tracer;
    this.#describe = describe;
    this.#parent = parent;
  }

  /** The span, started on first use. */
  open(): Span {
    if (this.#span === undefined) {
      const { name, attributes } = this.#describe();
      this.#span = this.#tracer.startSpan(name, { attributes, startTime: this.#startTime }, this.#parent);
    }
    return this.#span;
  }

  /** Whether something started the span already. */
  get opened(): Span | undefined {
    return this.#span;
  }

  /** `parent` with this field pending in it: what its resolver runs in. */
  context(): Context {
    return this.#parent.setValue(PENDING, this);
  }
}

/**
 * The context to start a child span in: `context` itself, or, when a field is
 * pending in it, with that field's span started and active.
 */
export function withPendingField(context: Context): Context {
  const pending = context.getValue(PENDING) as PendingField | undefined;
  return pending === undefined ? context : trace.setSpan(context, pending.open());
}
