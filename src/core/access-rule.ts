/**
 * Who may do what: a rule over the signed-in person's app roles (the ID token's `roles`), groups
 * (`groups`, object ids) and anything else in their claims, decided by the guards of every
 * adapter. The groups overage (a person in more groups than a token holds) is resolved through
 * Microsoft Graph by the caller and handed in as `groups`.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/howto-add-app-roles-in-apps
 */
import type { SignedInPerson } from './signed-in-person.js';

/** What a route requires; every part given must hold. */
export interface AccessRule {
  /** At least one of these app roles. */
  readonly anyRole?: readonly string[] | undefined;
  /** Membership of at least one of these groups (object ids). */
  readonly anyGroup?: readonly string[] | undefined;
  /** A check of the host's own over the person (claims included). */
  readonly check?: ((person: SignedInPerson) => boolean | Promise<boolean>) | undefined;
  /** How to name the rule's groups on the 403 page (object id → display name). */
  readonly groupNames?: Readonly<Record<string, string>> | undefined;
  /** How to name the check on the 403 page (default "a condition of this app"). */
  readonly checkName?: string | undefined;
}

/** The answer of a rule: allowed, or what is missing, in words safe to show. */
export type AccessDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly missing: string };

/** The app roles of the person: the `roles` claim's strings. */
export function rolesOf(person: SignedInPerson): string[] {
  const roles = person.claims['roles'];
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

/** The groups the token lists (object ids), or `null` when it carries the overage marker instead. */
export function groupsInToken(person: SignedInPerson): string[] | null {
  if (hasGroupsOverage(person)) return null;
  const groups = person.claims['groups'];
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
}

/**
 * Whether the token says "too many groups to list": `_claim_names.groups` names a source in
 * `_claim_sources`. The source's endpoint is never called: the token must not choose where the
 * person's access token goes.
 */
export function hasGroupsOverage(person: SignedInPerson): boolean {
  const names = person.claims['_claim_names'];
  return typeof names === 'object' && names !== null && 'groups' in names;
}

/** Decides `rule` for the person whose groups are `groups` (from the token, or from Graph). */
export async function decideAccess(
  rule: AccessRule,
  person: SignedInPerson,
  groups: () => Promise<readonly string[]>,
): Promise<AccessDecision> {
  if (rule.anyRole !== undefined && rule.anyRole.length > 0) {
    const roles = rolesOf(person);
    if (!rule.anyRole.some((role) => roles.includes(role))) {
      return { allowed: false, missing: `the app role ${listOf(rule.anyRole)}` };
    }
  }
  if (rule.anyGroup !== undefined && rule.anyGroup.length > 0) {
    const member = await groups();
    if (!rule.anyGroup.some((group) => member.includes(group))) {
      const named = rule.anyGroup.map((id) => rule.groupNames?.[id] ?? id);
      return { allowed: false, missing: `membership of the group ${listOf(named)}` };
    }
  }
  if (rule.check !== undefined && !(await rule.check(person))) {
    return { allowed: false, missing: rule.checkName ?? 'a condition of this app' };
  }
  return { allowed: true };
}

function listOf(items: readonly string[]): string {
  if (items.length === 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}
