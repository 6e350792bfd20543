/**
 * The app roles the registration declares (its `appRoles`): how a role's value is checked, and how
 * new roles are added to those a registration already has without losing any.
 * See https://learn.microsoft.com/graph/api/resources/approle and
 * https://learn.microsoft.com/entra/identity-platform/howto-add-app-roles-in-apps.
 */
import { randomUUID } from 'node:crypto';

/** An app role, with the properties we read; Graph's others are kept as they are. */
export interface AppRole {
  readonly id: string;
  readonly value?: string | null | undefined;
  readonly isEnabled?: boolean | undefined;
  readonly allowedMemberTypes?: readonly string[] | undefined;
}

/** An app role this command declares: for people (not applications), enabled. */
export interface NewAppRole extends AppRole {
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
  readonly allowedMemberTypes: readonly ['User'];
  readonly isEnabled: true;
}

// Entra's limit on a value's length.
const MAX_VALUE_LENGTH = 120;

/**
 * What is wrong with `value` as an app role's value, or `null`. Entra sends the value as it is in
 * the ID token's `roles` claim and refuses spaces; we accept its safest subset, letters, digits
 * and `. _ -`, which also reads the same in a guard (`{ anyRole: ['Reports.Read'] }`) and a shell.
 */
export function describeAppRoleValueProblem(value: string): string | null {
  const example = 'for example --app-role Admin or --app-role Reports.Read';
  if (value.trim() === '') return `--app-role needs a role's value, ${example}.`;
  if (/\s/.test(value)) {
    return `--app-role "${value}": an app role's value cannot contain spaces (Entra puts it as it is in the roles claim); use letters, digits and . _ - only, ${example}.`;
  }
  const others = [...new Set(value.replaceAll(/[A-Za-z0-9._-]/g, ''))];
  if (others.length > 0) {
    return `--app-role "${value}": an app role's value may contain letters, digits and . _ - only, not ${others.join(' ')}; ${example}.`;
  }
  if (value.startsWith('.')) {
    return `--app-role "${value}": Entra refuses an app role's value that begins with a dot; ${example}.`;
  }
  if (value.length > MAX_VALUE_LENGTH) {
    return `--app-role "${value.slice(0, 20)}…": an app role's value may be at most ${MAX_VALUE_LENGTH} characters long; you gave ${value.length}.`;
  }
  return null;
}

/** The role this command declares for `value`, with a new random id (Entra wants a GUID). */
export function newAppRole(value: string, appName: string, id: string = randomUUID()): NewAppRole {
  return {
    id,
    allowedMemberTypes: ['User'],
    displayName: value,
    description: `The ${value} role of ${appName} (added by npm run register).`,
    value,
    isEnabled: true,
  };
}

/**
 * `current` with the roles of `wanted` whose value it lacks, or `null` when it has them all.
 * Graph replaces the collection as a whole on PATCH, so the answer keeps every role it had, in
 * order, with its id: the id is what assignments point at, and Entra refuses to drop an enabled
 * role. A role someone made is never removed or changed.
 */
export function addAppRoles<R extends AppRole>(
  current: readonly R[],
  wanted: readonly NewAppRole[],
): (R | NewAppRole)[] | null {
  const missing = wanted.filter(
    (role, index) =>
      wanted.findIndex((other) => other.value === role.value) === index &&
      !current.some((had) => had.value === role.value),
  );
  return missing.length === 0 ? null : [...current, ...missing];
}

/** Whether Entra lets a person (rather than an application) be given `role`. */
export function isAssignableToPeople(role: AppRole): boolean {
  return role.isEnabled !== false && (role.allowedMemberTypes ?? []).includes('User');
}
