/**
 * One read of a change's switch over HTTP(S): the response body of
 * `GET <url>/v1/switches/<change>`, bounded in size and time. Any failure —
 * refused connection, timeout, a status other than 200, a body too large —
 * is a reason in words, never an exception: the guard counts it as a failed
 * read.
 *
 * @example
 *   const r = await fetchSwitch('http://10.0.0.7:8080', 'agent', 2000); // { ok: true, body } | { ok: false, reason }
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { switchUrl } from '../../killswitch/index.ts';

/** Largest response read: twice the largest document (src/killswitch/document.ts MAX_DOCUMENT_BYTES), for the envelope. */
const MAX_RESPONSE = 2 * 64 * 1024 + 1024;

export type FetchResult = { readonly ok: true; readonly body: string } | { readonly ok: false; readonly reason: string };

export function fetchSwitch(base: string, change: string, timeoutMs: number): Promise<FetchResult> {
  const url = switchUrl(base, change);
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: FetchResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(url, { method: 'GET', headers: { accept: 'application/json' }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (b: Buffer) => {
        size += b.length;
        if (size > MAX_RESPONSE) {
          finish({ ok: false, reason: `response larger than ${MAX_RESPONSE} bytes` });
          res.destroy();
          return;
        }
        parts.push(b);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) finish({ ok: false, reason: `HTTP ${res.statusCode ?? '?'} from ${url}` });
        else finish({ ok: true, body: Buffer.concat(parts).toString('utf8') });
      });
      res.on('error', (e) => finish({ ok: false, reason: `${e.message} reading ${url}` }));
    });
    const timer = setTimeout(() => {
      finish({ ok: false, reason: `no answer from ${url} within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, reason: `${e.code ?? e.message} connecting to ${url}` }));
    req.end();
  });
}
