import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRegisterCommand } from '../../src/cli/registration/register-command.js';
import { capturedIo } from '../support/captured-io.js';
import { startFakeEntra } from '../support/fake-entra.js';
import { graphFailures, startFakeGraph, type FakeGraph } from '../support/fake-graph.js';

// Issue 12: `npm run register -- --app-role … --groups`.
let graph: FakeGraph;
let dir: string;
const delays: number[] = [];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function register(args: string[] = [], extraEnv: Record<string, string> = {}) {
  const io = capturedIo();
  const code = await runRegisterCommand(args, io, {
    cwd: dir,
    env: {
      GRAPH_URL: graph.url,
      GRAPH_TOKEN: graph.token,
      BASE_URL: 'http://localhost:5000',
      DATA_DIR: join(dir, 'data'),
      ...extraEnv,
    },
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  });
  return { code, io, output: io.text() };
}

const theApp = () => {
  const [app] = [...graph.applications.values()];
  if (app === undefined) throw new Error('no application was registered');
  return app;
};
const rolesOf = () => theApp()['appRoles'] as Record<string, unknown>[];
const roleId = (value: string) => rolesOf().find((role) => role['value'] === value)?.['id'];
const principalId = () => String(graph.servicePrincipals.get(theApp().appId)?.['id']);
const assignmentPosts = (from = 0) =>
  graph.requests
    .slice(from)
    .filter((r) => r.method === 'POST' && /appRoleAssignedTo$/.test(r.path));
const appPatches = (from: number) =>
  graph.requests
    .slice(from)
    .filter((r) => r.method === 'PATCH' && r.path.startsWith('/applications/'));

beforeEach(async () => {
  graph = await startFakeGraph();
  dir = mkdtempSync(join(tmpdir(), 'entra-signin-register-roles-'));
  delays.length = 0;
});
afterEach(async () => {
  await graph.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run register --app-role', () => {
  it('declares each role on a new registration: a GUID id, for users, enabled', async () => {
    const { code } = await register(['--app-role', 'Admin', '--app-role', 'Reader']);
    expect(code).toBe(0);
    const created = graph.requests.find((r) => r.method === 'POST' && r.path === '/applications');
    const sent = (created?.body as { appRoles: unknown[] }).appRoles;
    expect(sent).toEqual(
      ['Admin', 'Reader'].map((value) => ({
        id: expect.stringMatching(GUID) as unknown,
        allowedMemberTypes: ['User'],
        displayName: value,
        description: `The ${value} role of entra-signin (added by npm run register).`,
        value,
        isEnabled: true,
      })),
    );
    expect(rolesOf()).toEqual(sent);
    expect(roleId('Admin')).not.toBe(roleId('Reader'));
  });

  it('keeps the roles it made and their ids when run again, and adds the new one', async () => {
    await register(['--app-role', 'Admin']);
    const adminId = roleId('Admin');
    const before = graph.requests.length;
    const { code, output } = await register(['--app-role', 'Admin', '--app-role', 'Reader']);
    expect(code).toBe(0);
    expect(rolesOf().map((role) => [role['value'], role['id']])).toEqual([
      ['Admin', adminId],
      ['Reader', expect.stringMatching(GUID)],
    ]);
    expect(appPatches(before).map((r) => Object.keys(r.body as object))).toEqual([['appRoles']]);
    expect(output).toContain('Added the app role Reader');
    expect(output).toContain('App roles: Admin, Reader (new: Reader).');
  });

  it('never drops or changes a role someone else made', async () => {
    await register();
    const someones = {
      id: '0f6a1c2e-7b3d-4e5f-9a8b-1c2d3e4f5a6b',
      allowedMemberTypes: ['User', 'Application'],
      displayName: 'Auditors',
      description: 'Read the audit log.',
      value: 'Audit.Read',
      isEnabled: true,
      origin: 'Application',
    };
    theApp()['appRoles'] = [someones];
    const { code } = await register(['--app-role', 'Admin']);
    expect(code).toBe(0);
    expect(rolesOf()).toEqual([someones, expect.objectContaining({ value: 'Admin' })]);
  });

  it('sends no PATCH when the registration has every role already', async () => {
    await register(['--app-role', 'Admin', '--app-role', 'Reader']);
    const ids = rolesOf().map((role) => role['id']);
    const before = graph.requests.length;
    const { code } = await register(['--app-role', 'Reader']);
    expect(code).toBe(0);
    expect(appPatches(before)).toEqual([]);
    expect(rolesOf().map((role) => role['id'])).toEqual(ids);
  });

  it('gives the signed-in administrator the first role on the service principal', async () => {
    const { code, output } = await register(['--app-role', 'Admin', '--app-role', 'Reader']);
    expect(code).toBe(0);
    const spId = principalId();
    expect(assignmentPosts().map((r) => [r.path, r.body])).toEqual([
      [
        `/servicePrincipals/${spId}/appRoleAssignedTo`,
        { principalId: graph.me.id, resourceId: spId, appRoleId: roleId('Admin') },
      ],
    ]);
    expect(graph.appRoleAssignments).toHaveLength(1);
    expect(output).toContain('Giving admin@contoso.onmicrosoft.com the Admin app role');
    expect(output).toContain('You have the Admin role');
  });

  it('does not fail when run again and the administrator has the role already', async () => {
    await register(['--app-role', 'Admin']);
    const before = graph.requests.length;
    const { code, output } = await register(['--app-role', 'Admin']);
    expect(code).toBe(0);
    // The service principal existed (409), so it was looked up by appId.
    expect(graph.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toContain(
      `GET /servicePrincipals?$filter=appId eq '${theApp().appId}'`,
    );
    expect(assignmentPosts(before)).toHaveLength(1);
    expect(graph.appRoleAssignments).toHaveLength(1);
    expect(output).toContain('You have it already');
    expect(output).toContain('(you had it already)');
  });

  it('takes a 409 "already exists" for the assignment as done too', async () => {
    graph.failNext('POST', /appRoleAssignedTo$/, {
      status: 409,
      code: 'Request_MultipleObjectsWithSameKeyValue',
      message: 'Permission being assigned already exists on the object',
    });
    const { code, output } = await register(['--app-role', 'Admin']);
    expect(code).toBe(0);
    expect(output).toContain('You have it already');
  });

  it('gives the role once it has reached the service principal, waiting as Entra replicates', async () => {
    graph.failNext('POST', /appRoleAssignedTo$/, {
      status: 400,
      code: 'Request_BadRequest',
      message: "Permission being assigned was not found on application 'x'.",
    });
    const { code } = await register(['--app-role', 'Admin']);
    expect(code).toBe(0);
    expect(delays).toEqual([5000]);
    expect(graph.appRoleAssignments).toHaveLength(1);
  });

  it('says what the assignment needs when Graph answers 403, after declaring the roles', async () => {
    graph.failNext('POST', /appRoleAssignedTo$/, graphFailures.forbidden);
    const { code, io } = await register(['--app-role', 'Admin']);
    expect(code).toBe(1);
    expect(io.errors.join('\n')).toMatch(
      /refused to give you the Admin app role \(Authorization_RequestDenied\).*AppRoleAssignment\.ReadWrite\.All.*Cloud Application Administrator.*Enterprise applications → entra-signin → Users and groups → Add user\/group/,
    );
    expect(roleId('Admin')).toMatch(GUID);
  });

  it('declares the roles but gives them to nobody when no user is signed in (an app-only token)', async () => {
    graph.failNext('GET', /^\/me$/, graphFailures.forbidden);
    const { code, output } = await register(['--app-role', 'Admin']);
    expect(code).toBe(0);
    expect(roleId('Admin')).toMatch(GUID);
    expect(assignmentPosts()).toEqual([]);
    expect(output).toContain('Nobody was given Admin: no user is signed in');
  });

  it('asks the device code sign-in for AppRoleAssignment.ReadWrite.All too', async () => {
    const entra = await startFakeEntra({ tenantId: 'organizations', accessToken: graph.token });
    try {
      const { code } = await register(['--app-role', 'Admin'], {
        GRAPH_TOKEN: '',
        AUTHORITY: entra.authority,
        TENANT_ID: graph.tenantId,
      });
      expect(code).toBe(0);
      expect(entra.requests[0]?.get('scope')?.split(' ')).toContain(
        `${graph.url}/AppRoleAssignment.ReadWrite.All`,
      );
    } finally {
      await entra.close();
    }
  });

  it('tells how to give the roles to more people in the Entra admin center', async () => {
    const { output } = await register(['--app-role', 'Admin', '--app-role', 'Reader']);
    expect(output).toContain('App roles added: Admin, Reader. You have the Admin role');
    expect(output).toContain(
      'Entra admin center → Enterprise applications → entra-signin → Users and groups → Add user/group',
    );
  });

  it.each([
    ['Site Admin', /--app-role "Site Admin": an app role's value cannot contain spaces/],
    ['Admin!', /--app-role "Admin!": .*letters, digits and \. _ - only, not !/],
  ])('refuses %j with exit code 2 before signing in', async (value, message) => {
    const { code, io } = await register(['--app-role', 'Admin', '--app-role', value]);
    expect(code).toBe(2);
    expect(io.errors.join('\n')).toMatch(message);
    expect(graph.requests).toEqual([]);
  });
});

describe('npm run register --groups', () => {
  it('sets groupMembershipClaims to SecurityGroup on a new registration', async () => {
    const { code } = await register(['--groups']);
    expect(code).toBe(0);
    const created = graph.requests.find((r) => r.method === 'POST' && r.path === '/applications');
    expect(created?.body).toMatchObject({ groupMembershipClaims: 'SecurityGroup' });
    expect(theApp()['groupMembershipClaims']).toBe('SecurityGroup');
  });

  it('sets it on an existing registration with a PATCH of that alone', async () => {
    await register();
    expect(theApp()['groupMembershipClaims']).toBeNull();
    const before = graph.requests.length;
    const { code, output } = await register(['--groups']);
    expect(code).toBe(0);
    expect(appPatches(before).map((r) => r.body)).toEqual([
      { groupMembershipClaims: 'SecurityGroup' },
    ]);
    expect(output).toContain("Tokens now list people's security groups");
  });

  it('leaves a registration that asks for All groups alone', async () => {
    await register();
    theApp()['groupMembershipClaims'] = 'All';
    const before = graph.requests.length;
    const { output } = await register(['--groups']);
    expect(appPatches(before)).toEqual([]);
    expect(theApp()['groupMembershipClaims']).toBe('All');
    expect(output).toContain("already puts people's security groups in their tokens");
  });

  it('explains the overage and that the app resolves it with User.Read', async () => {
    const { output } = await register(['--groups']);
    expect(output).toMatch(
      /more than 200 groups.*overage marker.*Microsoft Graph with the User\.Read permission it already has/,
    );
  });
});
