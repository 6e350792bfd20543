import { renderPage, type PageContext } from './layout.js';

/** What the profile page shows of a Graph `user` (https://learn.microsoft.com/graph/api/resources/user). */
export interface GraphProfile {
  readonly displayName?: string | null;
  readonly jobTitle?: string | null;
  readonly mail?: string | null;
  readonly officeLocation?: string | null;
  readonly userPrincipalName?: string | null;
}

/** A message of the mail page (https://learn.microsoft.com/graph/api/resources/message). */
export interface GraphMessage {
  readonly subject?: string | null;
  readonly receivedDateTime?: string | null;
  readonly from?: { readonly emailAddress?: { readonly name?: string; readonly address?: string } };
}

/** The initials shown when Graph has no photo: of the first and last word of the name. */
export function initialsOf(name: string): string {
  const words = name.split(/\s+/).filter((w) => /\p{L}/u.test(w));
  const first = words[0]?.match(/\p{L}/u)?.[0] ?? '?';
  const last = words.length > 1 ? (words[words.length - 1]?.match(/\p{L}/u)?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** The profile page: the person's Microsoft Graph profile and photo. */
export function renderProfilePage(
  context: PageContext,
  profile: GraphProfile,
  options: { readonly hasPhoto: boolean; readonly graphName: string },
): string {
  const name = text(profile.displayName) ?? context.userName ?? '';
  const rows: [string, string | undefined][] = [
    ['Name', text(profile.displayName)],
    ['Job title', text(profile.jobTitle)],
    ['Email', text(profile.mail) ?? text(profile.userPrincipalName)],
    ['Office', text(profile.officeLocation)],
  ];
  return renderPage(
    'Profile',
    context,
    <>
      <div class="profile-head">
        {options.hasPhoto ? (
          <img
            class="avatar"
            src="/profile/photo"
            alt={`Photo of ${name}`}
            width={96}
            height={96}
          />
        ) : (
          <span class="avatar avatar-initials" role="img" aria-label={`${name} (no photo)`}>
            {initialsOf(name)}
          </span>
        )}
        <h1>{name}</h1>
      </div>
      <p>
        Read from {options.graphName} with your access token, which stays on the server (encrypted)
        and is refreshed there.
      </p>
      <table class="claims profile">
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value ?? <span class="muted">not set</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a class="button button-secondary" href="/profile/mail">
          Your latest mail
        </a>{' '}
        <span class="muted">asks for permission to read your mail, the first time</span>
      </p>
    </>,
  );
}

/** The mail page: the subjects of the latest messages (a scope asked for only here). */
export function renderMailPage(context: PageContext, messages: readonly GraphMessage[]): string {
  return renderPage(
    'Your latest mail',
    context,
    <>
      <h1>Your latest mail</h1>
      <p>
        This page needs the Mail.Read permission, which the app asked for only when you came here.
      </p>
      {messages.length === 0 ? (
        <p>Your mailbox has no messages.</p>
      ) : (
        <ul class="mail">
          {messages.map((m, index) => (
            <li key={index}>
              <strong>{text(m.subject) ?? '(no subject)'}</strong>
              <span class="muted">
                {' '}
                from{' '}
                {text(m.from?.emailAddress?.name) ??
                  text(m.from?.emailAddress?.address) ??
                  'unknown'}
                {text(m.receivedDateTime) !== undefined && `, ${m.receivedDateTime?.slice(0, 10)}`}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/profile">Back to your profile</a>
      </p>
    </>,
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.slice(0, 200) : undefined;
}
