/**
 * The node labels of one cluster's batches, kept in the background within
 * the orchestrator's API budget: `widen(n)` labels nodes until n carry the
 * batch label (node-batches.ts chooses which), `clear()` removes the label
 * from every node that has it. One merge patch per node; a patch takes a
 * budget token only when no command is waiting for one (`tryTake`), so the
 * orchestrator's own commands — a break-glass delete above all — never queue
 * behind label patches.
 *
 * Never a storm on a saturated cluster: a failed patch (429, timeout,
 * refused connection) waits with backoff (at least the server's
 * Retry-After) before the next one; after `maxFailures` failures in a row, or
 * once `cap` patches have been sent by one `clear()`, the labeller stops and
 * reports what is left (`left`, `lastError`).
 *
 * @example
 *   const labeller = new NodeLabeller(api, 'telemetry-agent', time, backoff, { cap: 600, maxFailures: 5 });
 *   labeller.widen(50);      // starts labelling; returns at once
 *   await labeller.idle();   // until the work is done or given up
 */
import type { ApiClient } from './api-client.ts';
import type { Backoff, LiveTime, TokenBucket } from './budget.ts';
import { failureOf } from './failure.ts';
import { batchLabel, chooseNodes, LABEL_VALUE } from './node-batches.ts';

export interface LabellerLimits {
  /** Most label patches one clear() sends. */
  readonly cap: number;
  /** Failures in a row after which the labeller gives up. */
  readonly maxFailures: number;
  /** Nodes per page when listing. */
  readonly pageSize: number;
}

export interface LabelReport {
  /** Nodes that still carry the label after a clear(), or still lack it after a widen(); null when unknown (the list failed). */
  readonly left: number | null;
  /** Label patches the last piece of work (a widen or a clear) sent. */
  readonly patches: number;
  readonly lastError: string | null;
}

interface NodeList {
  readonly names: string[];
  readonly labelled: Set<string>;
}

export class NodeLabeller {
  readonly #api: ApiClient;
  readonly #change: string;
  readonly #label: string;
  readonly #time: LiveTime;
  readonly #bucket: TokenBucket;
  readonly #backoff: Backoff;
  readonly #limits: LabellerLimits;
  #work: Promise<void> = Promise.resolve();
  #pending = 0;
  #generation = 0;
  #patches = 0;
  #left: number | null = null;
  #lastError: string | null = null;

  constructor(api: ApiClient, change: string, time: LiveTime, bucket: TokenBucket, backoff: Backoff, limits: LabellerLimits) {
    this.#api = api;
    this.#change = change;
    this.#label = batchLabel(change);
    this.#time = time;
    this.#bucket = bucket;
    this.#backoff = backoff;
    this.#limits = limits;
  }

  get report(): LabelReport {
    return { left: this.#left, patches: this.#patches, lastError: this.#lastError };
  }

  /** Lists every node (paged) and those carrying the label. */
  async list(): Promise<NodeList> {
    const names: string[] = [];
    const labelled = new Set<string>();
    let cont: string | undefined;
    do {
      const res = await this.#api.request('GET', '/api/v1/nodes', { query: { limit: String(this.#limits.pageSize), ...(cont !== undefined ? { continue: cont } : {}) } });
      const body = res.body as { items?: { metadata?: { name?: string; labels?: Record<string, string> } }[]; metadata?: { continue?: string } } | null;
      for (const item of body?.items ?? []) {
        const name = item.metadata?.name;
        if (typeof name !== 'string') continue;
        names.push(name);
        if (item.metadata?.labels?.[this.#label] === LABEL_VALUE) labelled.add(name);
      }
      cont = body?.metadata?.continue === '' ? undefined : body?.metadata?.continue;
    } while (cont !== undefined);
    return { names, labelled };
  }

  /** Starts labelling until `nodes` nodes carry the label (replacing any work under way). */
  widen(nodes: number): void {
    this.#start((generation) => this.#widen(nodes, generation));
  }

  /** Starts removing the label from every node (replacing any work under way). */
  clear(): void {
    this.#start((generation) => this.#clear(generation));
  }

  /** Stops the work under way at its next step. */
  cancel(): void {
    this.#generation++;
  }

  /** Resolves when the work under way is done or given up. */
  idle(): Promise<void> {
    return this.#work;
  }

  /** Work is under way (or queued). */
  get busy(): boolean {
    return this.#pending > 0;
  }

  #start(run: (generation: number) => Promise<void>): void {
    const generation = ++this.#generation;
    this.#pending++;
    this.#work = this.#work
      .then(() => (generation === this.#generation ? run(generation) : undefined))
      .catch(() => undefined)
      .finally(() => {
        this.#pending--;
      });
  }

  async #listed(generation: number): Promise<NodeList | undefined> {
    for (let failures = 0; generation === this.#generation; ) {
      try {
        return await this.list();
      } catch (e) {
        const failure = failureOf(e, this.#api.identity, 'list nodes');
        this.#lastError = failure.reason;
        if (!failure.retryable || ++failures >= this.#limits.maxFailures) return undefined;
        await this.#time.sleep(this.#backoff.waitMs(failures, failure.retryAfterS));
      }
    }
    return undefined;
  }

  async #widen(nodes: number, generation: number): Promise<void> {
    this.#patches = 0;
    const listed = await this.#listed(generation);
    if (listed === undefined) return;
    const unlabelled = chooseNodes(this.#change, listed.names, listed.labelled, nodes).filter((n) => !listed.labelled.has(n));
    this.#left = unlabelled.length;
    await this.#patchAll(unlabelled, LABEL_VALUE, generation, Number.POSITIVE_INFINITY);
  }

  async #clear(generation: number): Promise<void> {
    this.#patches = 0;
    const listed = await this.#listed(generation);
    if (listed === undefined) {
      this.#left = null;
      return;
    }
    const labelled = [...listed.labelled].sort();
    this.#left = labelled.length;
    await this.#patchAll(labelled, null, generation, this.#limits.cap);
  }

  async #patchAll(names: readonly string[], value: string | null, generation: number, cap: number): Promise<void> {
    let failures = 0;
    let sent = 0;
    for (let i = 0; i < names.length && generation === this.#generation && sent < cap; ) {
      if (!this.#bucket.tryTake()) {
        await this.#time.sleep(250);
        continue;
      }
      const name = names[i] as string;
      sent++;
      try {
        await this.#api.request('PATCH', `/api/v1/nodes/${encodeURIComponent(name)}`, { body: { metadata: { labels: { [this.#label]: value } } }, contentType: 'application/merge-patch+json', unbudgeted: true });
        this.#patches++;
        failures = 0;
        i++;
        this.#left = names.length - i;
      } catch (e) {
        const failure = failureOf(e, this.#api.identity, `patch the labels of node ${name}`);
        this.#lastError = failure.reason;
        if (failure.kind === 'not-found') {
          i++;
          this.#left = names.length - i;
          continue;
        }
        if (!failure.retryable || ++failures >= this.#limits.maxFailures) return;
        await this.#time.sleep(this.#backoff.waitMs(failures, failure.retryAfterS));
      }
    }
  }
}
