import { renderToString } from 'preact-render-to-string';
import { claimOrder, describeClaim, timeClaims, type ClaimGroup } from './claim-catalogue.js';
import { renderPage, type PageContext } from './layout.js';

const groups: { id: ClaimGroup; title: string; intro: string }[] = [
  { id: 'identity', title: 'Who you are', intro: 'How the directory names you.' },
  {
    id: 'directory',
    title: 'Directory ids',
    intro: 'Stable ids: these are what apps should key on.',
  },
  { id: 'token', title: 'About this token', intro: 'Who issued it, for whom, and for how long.' },
  { id: 'other', title: 'Other claims', intro: 'Claims this page has no explanation for.' },
];

/** Formats a claim for reading: times as UTC dates, lists and objects as JSON. */
export function formatClaim(name: string, value: unknown): string {
  if (name === 'auth_time' && value === 0) return '0 (the provider did not say when)';
  if (timeClaims.has(name) && typeof value === 'number') {
    return `${new Date(value * 1000)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC')} (${value})`;
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** "in 52 min", "3 h ago": how far a time claim is from now. */
export function relativeTime(seconds: number, nowMs: number): string {
  const deltaMs = seconds * 1000 - nowMs;
  const minutes = Math.round(Math.abs(deltaMs) / 60_000);
  const text =
    minutes < 1
      ? 'less than a minute'
      : minutes < 120
        ? `${minutes} min`
        : `${Math.round(minutes / 60)} h`;
  return deltaMs >= 0 ? `in ${text}` : `${text} ago`;
}

function ClaimRow(props: { name: string; value: unknown; now: number; entra: boolean }) {
  const { name, value, now } = props;
  const info = describeClaim(name, props.entra);
  const text = formatClaim(name, value);
  return (
    <tr>
      <th scope="row">
        <span class="claim-label">{info.label}</span>
        <code class="claim-name">{name}</code>
      </th>
      <td class="claim-value">
        <span class="value">{text}</span>
        {timeClaims.has(name) && typeof value === 'number' && value !== 0 && (
          <span class="relative">
            {name === 'exp' ? 'expires ' : ''}
            {relativeTime(value, now)}
          </span>
        )}
        {info.copyable === true && typeof value === 'string' && (
          <button
            type="button"
            class="copy"
            data-copy={value}
            aria-label={`Copy ${info.label}`}
            hidden
          >
            Copy
          </button>
        )}
        {info.meaning !== '' && <span class="meaning">{info.meaning}</span>}
      </td>
    </tr>
  );
}

/**
 * The grouped claim tables, as HTML. Separate from the page so that the route can keep it for a
 * while: a person's claims do not change during a session, only the relative times do.
 */
export function renderClaimSections(
  claims: Readonly<Record<string, unknown>>,
  now: number = Date.now(),
  entra = true,
): string {
  const names = Object.keys(claims).sort(
    (a, b) => claimOrder(a) - claimOrder(b) || a.localeCompare(b),
  );
  return renderToString(
    <>
      {groups.map((group) => {
        const inGroup = names.filter((name) => describeClaim(name, entra).group === group.id);
        if (inGroup.length === 0) return null;
        return (
          <section class="claim-group" aria-labelledby={`group-${group.id}`} key={group.id}>
            <h2 id={`group-${group.id}`}>{group.title}</h2>
            <p class="group-intro">{group.intro}</p>
            <table class="claims">
              <thead>
                <tr>
                  <th scope="col">Claim</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {inGroup.map((name) => (
                  <ClaimRow key={name} name={name} value={claims[name]} now={now} entra={entra} />
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </>,
  );
}

/** The person's app roles and groups, as the claims page shows them. */
export interface RolesAndGroups {
  /** The app roles of the ID token's `roles` claim. */
  readonly roles: readonly string[];
  /** The group object ids: the token's `groups`, or Graph's answer for the overage. */
  readonly groups: readonly string[];
  /** Whether the token had too many groups to list, so `groups` came from Microsoft Graph. */
  readonly fromGraph: boolean;
}

// Past this many, the ids are folded away: a person in hundreds of groups is not unusual.
const OPEN_GROUP_LIST = 20;

function RolesAndGroupsSection(props: { access: RolesAndGroups }) {
  const { roles, groups, fromGraph } = props.access;
  const list = (
    <ul class="id-list">
      {groups.map((id) => (
        <li key={id}>
          <code>{id}</code>
        </li>
      ))}
    </ul>
  );
  return (
    <section class="claim-group" aria-labelledby="group-access">
      <h2 id="group-access">App roles and groups</h2>
      <p class="group-intro">What this app can decide access on.</p>
      <h3>App roles</h3>
      {roles.length === 0 ? (
        <p>None: no app role of this app is assigned to you.</p>
      ) : (
        <ul class="id-list roles">
          {roles.map((role) => (
            <li key={role}>
              <code>{role}</code>
            </li>
          ))}
        </ul>
      )}
      <h3>Groups</h3>
      <p>
        {groups.length === 1 ? '1 group' : `${groups.length} groups`} (object ids),{' '}
        {fromGraph ? (
          <strong>from Microsoft Graph (the token had too many groups)</strong>
        ) : (
          'from the token'
        )}
        .
      </p>
      {groups.length > OPEN_GROUP_LIST ? (
        <details>
          <summary>Show the {groups.length} group ids</summary>
          {list}
        </details>
      ) : (
        groups.length > 0 && list
      )}
    </section>
  );
}

/** The ID token's claims page around sections made by {@link renderClaimSections}. */
export function renderTokenDetailsPage(
  context: PageContext,
  claimSections: string,
  access: RolesAndGroups,
): string {
  return renderPage(
    'ID token details',
    context,
    <>
      <h1>ID token details</h1>
      <p>
        The claims your organisation's identity provider vouched for when you signed in. The app
        checked the token's signature, issuer, audience and lifetime before trusting any of them.
      </p>
      <RolesAndGroupsSection access={access} />
      {/* Rendered, and so escaped, by renderClaimSections. */}
      <div class="claim-sections" dangerouslySetInnerHTML={{ __html: claimSections }} />
      <p>
        <a href="/">Back to the home page</a>
      </p>
    </>,
  );
}
