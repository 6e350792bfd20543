import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctorCommand } from '../../src/cli/doctor/doctor-command.js';
import { capturedIo } from '../support/captured-io.js';
import { startFakeEntra, type FakeEntra, type FakeEntraError } from '../support/fake-entra.js';

const TENANT = '72f988bf-0000-4000-8000-000000000abc';
let entra: FakeEntra | undefined;
let dir: string | undefined;
afterEach(async () => {
  await entra?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function doctorAgainst(error: FakeEntraError | undefined) {
  entra = await startFakeEntra({ tenantId: TENANT, ...(error === undefined ? {} : { error }) });
  dir = mkdtempSync(join(tmpdir(), 'entra-signin-doctor-'));
  const io = capturedIo();
  const code = await runDoctorCommand([], io, {
    cwd: dir,
    env: {
      AUTHORITY: entra.authority,
      CLIENT_ID: 'app-id-0000',
      CLIENT_SECRET: 'the-secret-id-not-its-value',
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters!',
      DATA_DIR: dir,
    },
  });
  return { code, text: io.text() };
}

describe('npm run doctor turns Entra’s AADSTS errors into sentences', () => {
  it('passes against Entra-shaped metadata when the credentials work', async () => {
    const { code, text } = await doctorAgainst(undefined);
    expect(text).toContain('✔ The client credentials work');
    expect(code).toBe(0);
  });

  it('AADSTS7000215: the secret’s ID was given instead of its Value', async () => {
    const { code, text } = await doctorAgainst('AADSTS7000215');
    expect(code).toBe(1);
    expect(text).toContain('the client secret is wrong. CLIENT_SECRET must be the secret’s Value');
  });

  it('AADSTS7000222: the secret has expired', async () => {
    const { text } = await doctorAgainst('AADSTS7000222');
    expect(text).toContain('AADSTS7000222: the client secret has expired.');
    expect(text).toContain('Fix: Create a new secret');
  });

  it('AADSTS700016: the application is not in that tenant', async () => {
    const { text } = await doctorAgainst('AADSTS700016');
    expect(text).toContain(`there is no application with CLIENT_ID app-id-0000 in ${TENANT}`);
  });

  it('AADSTS90002: the tenant does not exist, found at discovery', async () => {
    const { code, text } = await doctorAgainst('AADSTS90002');
    expect(code).toBe(1);
    expect(text).toContain(
      `✘ The authority’s discovery document is reachable and its issuer matches`,
    );
    expect(text).toContain(`AADSTS90002: the tenant ${TENANT} does not exist (in this cloud).`);
    expect(text).toContain('– The client credentials work');
  });
});
