import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  CONTOSO_STAFF,
  ENGINEERING,
  NUMBERED_GROUPS,
  PRODUCT_MANAGEMENT,
} from './directory-groups.js';
import { stableUuid } from './stable-uuid.js';

/** A person who can sign in at the development identity provider. */
export interface DevAccount {
  readonly username: string;
  readonly password: string;
  readonly name: string;
  /** The directory object id, as Entra's `oid` claim. */
  readonly oid: string;
  readonly email: string;
  /** What the Graph fake's `/v1.0/me` answers; `null` or absent as Graph's unset fields. */
  readonly givenName?: string | null;
  readonly surname?: string | null;
  readonly jobTitle?: string | null;
  readonly officeLocation?: string | null;
  readonly mobilePhone?: string | null;
  readonly preferredLanguage?: string | null;
  /** A CSS hex colour (`#rrggbb`): the person has a profile photo of that colour; none without. */
  readonly photoColour?: string;
  /** The app roles assigned to the person (the ID token's `roles`), e.g. `Admin`. */
  readonly roles?: readonly string[];
  /**
   * The object ids of the groups the person is in: the ID token's `groups`, or past 200 of them
   * the overage marker, and what the Graph fake's `getMemberObjects` answers.
   */
  readonly groups?: readonly string[];
}

/** The demo password, shown on the provider's sign-in page. */
export const DEMO_PASSWORD = 'Passw0rd!';

/** The accounts every development run has. */
export const demoAccounts: readonly DevAccount[] = Object.freeze([
  {
    username: 'alice@contoso.test',
    password: DEMO_PASSWORD,
    name: 'Alice Example',
    oid: 'a11ce000-0000-4000-8000-000000000001',
    email: 'alice@contoso.test',
    givenName: 'Alice',
    surname: 'Example',
    jobTitle: 'Product Manager',
    officeLocation: 'Building 4',
    mobilePhone: '+1 425 555 0101',
    preferredLanguage: 'en-US',
    photoColour: '#0067b8',
    roles: ['Admin'],
    groups: [ENGINEERING.id, CONTOSO_STAFF.id, PRODUCT_MANAGEMENT.id],
  },
  {
    username: 'bob@contoso.test',
    password: DEMO_PASSWORD,
    name: 'Bob Example',
    oid: 'b0b00000-0000-4000-8000-000000000002',
    email: 'bob@contoso.test',
    givenName: 'Bob',
    surname: 'Example',
    jobTitle: null,
    officeLocation: null,
    mobilePhone: null,
    preferredLanguage: null,
  },
  {
    // In more groups than an Entra JWT lists: her ID token carries the overage marker instead.
    username: 'carol@contoso.test',
    password: DEMO_PASSWORD,
    name: 'Carol Example',
    oid: 'ca401000-0000-4000-8000-000000000003',
    email: 'carol@contoso.test',
    givenName: 'Carol',
    surname: 'Example',
    jobTitle: 'Site Reliability Engineer',
    officeLocation: 'Building 2',
    mobilePhone: null,
    preferredLanguage: 'en-GB',
    groups: [CONTOSO_STAFF.id, ENGINEERING.id, ...NUMBERED_GROUPS.map((g) => g.id)],
  },
]);

const accountFileSchema = z.array(
  z.object({
    username: z.string().min(1),
    password: z.string().min(1),
    name: z.string().min(1),
    oid: z.uuid().optional(),
    email: z.string().optional(),
    givenName: z.string().nullable().optional(),
    surname: z.string().nullable().optional(),
    jobTitle: z.string().nullable().optional(),
    officeLocation: z.string().nullable().optional(),
    mobilePhone: z.string().nullable().optional(),
    preferredLanguage: z.string().nullable().optional(),
    photoColour: z
      .string()
      .regex(/^#[0-9a-f]{6}$/i, 'photoColour must be a colour like #0067b8')
      .optional(),
    roles: z.array(z.string().min(1)).optional(),
    groups: z.array(z.uuid('groups must be group object ids (GUIDs)')).optional(),
  }),
);

/**
 * Reads extra accounts from a JSON file: an array of `{ username, password, name, oid?, email? }`,
 * with the optional fields of {@link DevAccount} (`jobTitle`, `photoColour`, `roles`, `groups`, …).
 * Without an `oid`, one is derived from the username so it stays the same across runs.
 */
export function readAccountsFile(path: string): DevAccount[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`DEV_IDP_ACCOUNTS_FILE ${path} is not readable JSON`, { cause: error });
  }
  const parsed = accountFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `DEV_IDP_ACCOUNTS_FILE ${path} must be an array of { username, password, name, oid?, email? }: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  return parsed.data.map(({ oid, email, ...account }) => ({
    ...withoutUndefined(account),
    oid: oid ?? stableUuid(account.username),
    email: email ?? account.username,
  }));
}

/** The account whose username and password these are, or `null`. */
export function findAccountByCredentials(
  accounts: readonly DevAccount[],
  username: string,
  password: string,
): DevAccount | null {
  const account = accounts.find((a) => a.username.toLowerCase() === username.trim().toLowerCase());
  // Compare digests so the comparison takes the same time whatever the lengths.
  const given = createHash('sha256').update(password).digest();
  const expected = createHash('sha256')
    .update(account?.password ?? '')
    .digest();
  return account && timingSafeEqual(given, expected) ? account : null;
}

// The optional profile fields stay absent rather than `undefined` (exactOptionalPropertyTypes).
function withoutUndefined<T extends object>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
