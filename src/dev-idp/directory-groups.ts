/**
 * The development tenant's groups: a few named ones the demo accounts share, and numbered ones
 * that put Carol past the 200 groups an Entra JWT can list (the groups overage).
 *
 * @see https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-fed-group-claims
 */
import { stableUuid } from './stable-uuid.js';

/** A group as the Graph fake names it. */
export interface DirectoryGroup {
  /** The group's object id, as in the `groups` claim. */
  readonly id: string;
  readonly displayName: string;
}

/** The named groups of the development tenant. */
export const ENGINEERING: DirectoryGroup = Object.freeze({
  id: '0e1a9c3b-1f7d-4c2e-9a51-3d6b8e2f4a01',
  displayName: 'Engineering',
});
export const CONTOSO_STAFF: DirectoryGroup = Object.freeze({
  id: '5c0a7f12-8b3e-4d9a-b6c4-2e1f9d7a3b02',
  displayName: 'Contoso Staff',
});
export const PRODUCT_MANAGEMENT: DirectoryGroup = Object.freeze({
  id: '9b3d2e61-4a7c-4f08-8e5d-1c6a0b9f7e03',
  displayName: 'Product Management',
});

/** How many groups an Entra JWT lists at most; past that it carries the overage marker instead. */
export const JWT_GROUPS_LIMIT = 200;

/**
 * `Group 1` … `Group 248`, with ids derived from their number (the same on every run): with two
 * named groups, Carol is in 250.
 */
export const NUMBERED_GROUPS: readonly DirectoryGroup[] = Object.freeze(
  Array.from({ length: 248 }, (_, i) => ({
    id: stableUuid(`entra-signin development group ${i + 1}`),
    displayName: `Group ${i + 1}`,
  })),
);

/**
 * The tenant's groups by id: the named ones, and every group one of these accounts is in (an
 * accounts file names ids only; such a group is called after the start of its id).
 */
export function directoryGroupsOf(
  accounts: readonly { readonly groups?: readonly string[] }[],
): ReadonlyMap<string, DirectoryGroup> {
  const groups = new Map<string, DirectoryGroup>();
  for (const group of [ENGINEERING, CONTOSO_STAFF, PRODUCT_MANAGEMENT, ...NUMBERED_GROUPS]) {
    groups.set(group.id, group);
  }
  for (const id of accounts.flatMap((a) => a.groups ?? [])) {
    const key = id.toLowerCase();
    if (!groups.has(key)) groups.set(key, { id, displayName: `Group ${id.slice(0, 8)}` });
  }
  return groups;
}
