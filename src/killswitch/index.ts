/**
 * The out-of-band kill switch's contract (docs/killswitch.md), deterministic:
 * the signed switch document of a change, its serialisation, Ed25519 signing
 * and verification, the generation rule that refuses replays, the guard's
 * decision (switch state + reachability + policy → run or stop), the switch
 * endpoint's address rules, and `injectGuard`, the guard sidecar for a pod
 * template. The server, the guard process and the files are in
 * src/shell/killswitch/; the orchestrator's client in src/adapters/killswitch/.
 *
 * @example
 *   import { verifySigned, acceptDocument, decide, effectiveState } from '../killswitch/index.ts';
 *   const v = verifySigned(body, publicKey);
 *   if (v.ok && acceptDocument(known, v.document, 'agent').accept) known = v.document;
 *   decide({ known: known && effectiveState(known, cluster), failures: 0, policy: 'keep-running' }).action; // 'run' | 'stop'
 */
export * from './defaults.ts';
export * from './document.ts';
export * from './signature.ts';
export * from './generation.ts';
export * from './decision.ts';
export * from './endpoint.ts';
export * from './inject.ts';
