/**
 * A client certificate made on this machine: the private key never leaves it, only the
 * certificate (the public part) is uploaded to the app registration as a key credential.
 * See https://learn.microsoft.com/entra/identity-platform/certificate-credentials.
 */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { writePrivateFile } from '../../core/private-file.js';

/** Where the certificate and its key were written, and what to upload. */
export interface ClientCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate in DER, base64: the `key` of a keyCredential. */
  readonly der: string;
  /** SHA-1 thumbprint, as the Entra admin center shows it. */
  readonly thumbprint: string;
  readonly subject: string;
  readonly notAfter: Date;
}

/** Creates an RSA key pair and a self-signed certificate valid for `days`, under `dir`. */
export async function createClientCertificate(options: {
  dir: string;
  name: string;
  days: number;
  now: Date;
}): Promise<ClientCertificate> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const notAfter = new Date(options.now.getTime() + options.days * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: options.name }], {
    keyPair: { publicKey, privateKey },
    algorithm: 'sha256',
    notBeforeDate: options.now,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  const certificate = new X509Certificate(pems.cert);
  const base = join(options.dir, `${options.name.replace(/[^\w.-]+/g, '-')}-client`);
  // The key is the app's credential; neither file is anyone else's business.
  writePrivateFile(`${base}-key.pem`, privateKey);
  writePrivateFile(`${base}-cert.pem`, pems.cert);
  return {
    certFile: `${base}-cert.pem`,
    keyFile: `${base}-key.pem`,
    der: certificate.raw.toString('base64'),
    thumbprint: certificate.fingerprint.replaceAll(':', ''),
    subject: `CN=${options.name}`,
    notAfter,
  };
}
