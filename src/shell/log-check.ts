/**
 * Verifying a rollout's log by folding it through the decision core, the way
 * a resumed orchestrator does: sequence numbers run 1, 2, 3 … with no gap;
 * every record's body is the event or command its columns say; every command
 * is the one the core decides from the events before it, in that order, and
 * is recorded in the same transaction as its event (no event comes between a
 * decision and its commands); every result answers a command issued before
 * it, and no command is answered twice. The first record that breaks one of
 * these is named (`LogCorrupt`); a log that passes folds to the rollout's
 * state, with the commands still waiting for a result in the order issued.
 *
 * @example
 *   const { state, unanswered } = foldLog(spec, store.records()); // throws LogCorrupt
 */
import { describeError } from '../core/errors.ts';
import type { RolloutSpec } from '../orchestrator/compile.ts';
import { decide, initialState, type RolloutCommand, type RolloutEvent, type RolloutState } from '../orchestrator/core.ts';
import type { LogRecord } from './event-store.ts';

/** The log breaks an invariant at record `seq` (0: the log as a whole). */
export class LogCorrupt extends Error {
  readonly code = 'FB_LOG_CORRUPT';
  readonly seq: number;
  constructor(seq: number, message: string, options?: ErrorOptions) {
    super(seq > 0 ? `record ${seq}: ${message}` : message, options);
    this.name = 'LogCorrupt';
    this.seq = seq;
  }
}

export interface FoldedLog {
  readonly state: RolloutState;
  /** Commands recorded without a result yet, in the order they were issued. */
  readonly unanswered: readonly RolloutCommand[];
  /** Events folded. */
  readonly events: number;
  readonly records: number;
}

const EVENT_KINDS = new Set(['start', 'tick', 'snapshot-result', 'apply-result', 'evaluation', 'kill-switch-result', 'delete-result', 'notified', 'pause', 'resume', 'approve', 'abort']);

/** The result event each command kind is answered with. */
const RESULT_OF: Readonly<Record<RolloutCommand['kind'], RolloutEvent['kind']>> = {
  snapshot: 'snapshot-result',
  apply: 'apply-result',
  evaluate: 'evaluation',
  'kill-switch': 'kill-switch-result',
  delete: 'delete-result',
  notify: 'notified',
};

/** The id a logged event carries: its command's id for a result, else kind and time. */
export function eventId(e: RolloutEvent): string {
  return 'commandId' in e ? e.commandId : `${e.kind}:${e.at}`;
}

function parse(rec: LogRecord): Record<string, unknown> {
  let x: unknown;
  try {
    x = JSON.parse(rec.body);
  } catch (e) {
    throw new LogCorrupt(rec.seq, `its body is not JSON (${rec.type} ${rec.kind} ${rec.id})`, { cause: e });
  }
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new LogCorrupt(rec.seq, `its body is not an object (${rec.type} ${rec.kind} ${rec.id})`);
  return x as Record<string, unknown>;
}

/** Folds and verifies the log; throws LogCorrupt at the first bad record. */
export function foldLog(spec: RolloutSpec, records: readonly LogRecord[]): FoldedLog {
  let state = initialState(spec);
  /** Decided by the last event and not yet matched with a record. */
  let expected: RolloutCommand[] = [];
  let decidedAt = 0;
  const issued = new Map<string, { readonly c: RolloutCommand; readonly seq: number }>();
  const answered = new Map<string, number>();
  let events = 0;
  records.forEach((rec, i) => {
    if (rec.seq !== i + 1) {
      throw new LogCorrupt(rec.seq, i === 0 ? `the log starts at record ${rec.seq}, not 1 (records 1–${rec.seq - 1} are missing)` : `comes after record ${i}: ${rec.seq === i ? 'a duplicate' : `records ${i + 1}–${rec.seq - 1} are missing`}`);
    }
    const body = parse(rec);
    if (rec.type === 'command') {
      const want = expected.shift();
      if (want === undefined) throw new LogCorrupt(rec.seq, `command ${rec.id} was not decided by the event before it`);
      if (JSON.stringify(want) !== rec.body) throw new LogCorrupt(rec.seq, `command ${rec.id} is not what the decision core decides from the log before it (it decides ${want.kind} ${want.id})`);
      if (rec.id !== want.id || rec.kind !== want.kind) throw new LogCorrupt(rec.seq, `the record's kind and id (${rec.kind} ${rec.id}) are not its command's (${want.kind} ${want.id})`);
      const before = issued.get(want.id) ?? (answered.has(want.id) ? { seq: 0 } : undefined);
      if (before !== undefined) throw new LogCorrupt(rec.seq, `command ${want.id} was already issued${before.seq > 0 ? ` at record ${before.seq}` : ''}`);
      issued.set(want.id, { c: want, seq: rec.seq });
      return;
    }
    if (rec.type !== 'event') throw new LogCorrupt(rec.seq, `unknown record type ${JSON.stringify(rec.type)}`);
    if (expected.length > 0) {
      throw new LogCorrupt(rec.seq, `event ${rec.kind} ${rec.id} comes where the command ${expected[0]?.id ?? ''} decided at record ${decidedAt} should be (a decision and its commands are stored together)`);
    }
    if (typeof body.kind !== 'string' || !EVENT_KINDS.has(body.kind)) throw new LogCorrupt(rec.seq, `unknown event kind ${JSON.stringify(body.kind)}`);
    const e = body as unknown as RolloutEvent;
    if (e.kind !== rec.kind || e.at !== rec.at || eventId(e) !== rec.id) throw new LogCorrupt(rec.seq, `the record's kind, time and id (${rec.kind} ${rec.at} ${rec.id}) are not its event's (${e.kind} ${e.at} ${eventId(e)})`);
    if ('commandId' in e) {
      const was = answered.get(e.commandId);
      if (was !== undefined) throw new LogCorrupt(rec.seq, `a second result of ${e.commandId}, already answered at record ${was}`);
      const c = issued.get(e.commandId);
      if (c === undefined) throw new LogCorrupt(rec.seq, `result of ${e.commandId}, which was never issued`);
      if (RESULT_OF[c.c.kind] !== e.kind) throw new LogCorrupt(rec.seq, `${e.kind} answers ${e.commandId}, a ${c.c.kind} command`);
      issued.delete(e.commandId);
      answered.set(e.commandId, rec.seq);
    }
    let d;
    try {
      d = decide(spec, state, e);
    } catch (err) {
      throw new LogCorrupt(rec.seq, `the decision core cannot take event ${rec.kind} ${rec.id}: ${describeError(err)}`, { cause: err });
    }
    state = d.state;
    expected = [...d.commands];
    decidedAt = rec.seq;
    events++;
  });
  if (expected.length > 0) {
    throw new LogCorrupt(0, `the log ends with ${expected.length} command(s) decided at record ${decidedAt} that were never recorded (${expected.map((c) => c.id).join(', ')})`);
  }
  return { state, unanswered: [...issued.values()].map((x) => x.c), events, records: records.length };
}
