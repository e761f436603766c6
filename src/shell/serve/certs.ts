/**
 * The served twin's PKI, generated at start and never written but into the
 * kubeconfig: a CA (ECDSA P-256, self-signed, CA:true) and a serving
 * certificate it signs for 127.0.0.1 and localhost (SAN, serverAuth) — what
 * kubectl (Go crypto/tls) and Node's TLS verify against the kubeconfig's
 * certificate-authority-data. @peculiar/x509 over WebCrypto; it needs
 * reflect-metadata loaded first.
 *
 * @example
 *   const pki = await makePki(Date.now());
 *   https.createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, handler);
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export interface Pki {
  readonly caPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
}

export async function makePki(nowMs: number): Promise<Pki> {
  const crypto = globalThis.crypto;
  x509.cryptoProvider.set(crypto);
  const notBefore = new Date(nowMs - 3600_000);
  const notAfter = new Date(nowMs + 30 * 24 * 3600_000);
  const caKeys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const serial = (n: number): string => `${n.toString(16).padStart(2, '0')}${Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex')}`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(1),
    name: 'CN=firebreak-twin-ca',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true), await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey)],
  });
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(2),
    subject: 'CN=firebreak-twin-apiserver',
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { caPem: ca.toString('pem') + '\n', serverCertPem: cert.toString('pem') + '\n', serverKeyPem: pem('PRIVATE KEY', pkcs8) };
}
