// RFC 9457 problems: every failed API call rejects with a Problem, never a bare Response.
import type { components } from './schema'

/** One field error of a problem: where (body.name, query.cursor), what, and the value sent. */
export type ProblemError = components['schemas']['ErrorDetail']

type ProblemBody = components['schemas']['ErrorModel']

/**
 * A failed request. status is the HTTP status, or 0 when the server could not be reached
 * (then nothing is known to have happened, and a retry with the same Idempotency-Key is safe).
 */
export class Problem extends Error {
  readonly status: number
  /** Stable problem type, e.g. /problems/invalid-input. */
  readonly type: string
  readonly title: string
  /** The server's explanation, in English. */
  readonly detail: string
  readonly errors: ProblemError[]
  /** X-Request-ID of the answer, to quote to support. */
  readonly requestId: string

  constructor(status: number, body: Partial<ProblemBody> = {}, requestId = '') {
    super(body.detail || body.title || (status ? `HTTP ${status}` : 'network error'))
    this.name = 'Problem'
    this.status = status
    this.type = body.type ?? ''
    this.title = body.title ?? ''
    this.detail = body.detail ?? ''
    this.errors = Array.isArray(body.errors) ? body.errors : []
    this.requestId = requestId
  }

  /** Reads a non-2xx response; a body that is not a problem still gives a Problem of its status. */
  static async fromResponse(res: Response): Promise<Problem> {
    let body: Partial<ProblemBody> = {}
    try {
      const parsed: unknown = await res.clone().json()
      if (parsed && typeof parsed === 'object') body = parsed as Partial<ProblemBody>
    } catch {
      body = { title: res.statusText }
    }
    return new Problem(res.status, body, res.headers.get('X-Request-ID') ?? '')
  }

  /** The server could not be reached (offline, DNS, connection reset). */
  static network(cause?: unknown): Problem {
    const p = new Problem(0, { title: 'Network error' })
    if (cause !== undefined) (p as { cause?: unknown }).cause = cause
    return p
  }

  /** 412: the record changed since it was read; the remedy is to load it again. */
  get stale(): boolean {
    return this.status === 412
  }

  /**
   * The statuses a refused status move allows (a 409 whose body.to error carries them as its
   * value), or undefined when the problem is not such a refusal.
   */
  get allowedMoves(): string[] | undefined {
    if (this.status !== 409) return undefined
    const e = this.errors.find((x) => x.location === 'body.to')
    if (!e || !Array.isArray(e.value)) return undefined
    return e.value.filter((v): v is string => typeof v === 'string')
  }
}

/** Whatever a call threw, as a Problem (programming errors become a status-less one). */
export function asProblem(err: unknown): Problem {
  if (err instanceof Problem) return err
  const p = new Problem(-1, { title: 'Error', detail: err instanceof Error ? err.message : String(err) })
  return p
}
