/**
 * The registration's `groupMembershipClaims`: which groups Entra lists in the `groups` claim of
 * the person's tokens. See https://learn.microsoft.com/graph/api/resources/application.
 */

/** The value that lists the person's security groups (and directory roles). */
const SECURITY_GROUP_CLAIMS = 'SecurityGroup';

/** Whether `current` lists only the groups assigned to the app, a narrower choice someone made. */
export function listsApplicationGroupsOnly(current: string | null | undefined): boolean {
  const parts = (current ?? '').split(',').map((part) => part.trim().toLowerCase());
  return parts.includes('applicationgroup') && addSecurityGroupClaims(current) !== null;
}

/**
 * The value to set so that tokens list the person's security groups, or `null` when `current`
 * lists them already: `SecurityGroup`, or `All` (which includes them), alone or among others
 * (`"SecurityGroup, DirectoryRole"`). Anything else (`None`, `ApplicationGroup`, nothing) becomes
 * `SecurityGroup`; the caller leaves `ApplicationGroup` alone (see
 * {@link listsApplicationGroupsOnly}).
 */
export function addSecurityGroupClaims(
  current: string | null | undefined,
): typeof SECURITY_GROUP_CLAIMS | null {
  const parts = (current ?? '').split(',').map((part) => part.trim().toLowerCase());
  return parts.includes('securitygroup') || parts.includes('all') ? null : SECURITY_GROUP_CLAIMS;
}
