import type { EndedBy, EventPerson, SignInEvent } from '../../core/events.js';
import { UtcTime } from './utc-time.js';

const TITLES: Record<SignInEvent['type'], string> = {
  'signed-in': 'Signed in',
  'sign-in-failed': 'Sign-in failed',
  'signed-out': 'Signed out',
  'sessions-ended': 'Sessions ended',
  'session-end-refused': 'Session end refused',
  'access-denied': 'Access denied',
};

const ENDED_BY: Record<EndedBy, string> = {
  'front-channel': 'by a front-channel logout',
  'back-channel': 'by a back-channel logout',
  refresh: 'because the provider refused a refresh',
  person: 'by the person',
  admin: 'by an administrator',
};

/**
 * The latest audit events as a table, newest first. Events carry no token, code or cookie (see
 * `SignInEvent`); the user agent is left out here for width, and is in the log line.
 */
export function AuditEventsTable(props: { events: readonly SignInEvent[] }) {
  if (props.events.length === 0) return <p>No events since the app started.</p>;
  return (
    <table class="data-table events">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Event</th>
          <th scope="col">Person</th>
          <th scope="col">Session</th>
          <th scope="col">Address</th>
          <th scope="col">Request id</th>
        </tr>
      </thead>
      <tbody>
        {props.events.map((event, index) => (
          <tr key={`${event.at}-${index}`} data-event={event.type}>
            <td data-label="Time">
              <UtcTime at={event.at} />
            </td>
            <td data-label="Event">
              <strong>{TITLES[event.type]}</strong>
              <EventDetails event={event} />
            </td>
            <td data-label="Person">
              <Person person={personOf(event)} />
            </td>
            <td data-label="Session">
              <Handles handles={handlesOf(event)} />
            </td>
            <td data-label="Address">{event.address ?? '—'}</td>
            <td data-label="Request id">
              {event.requestId === '' ? '—' : <code>{event.requestId}</code>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EventDetails(props: { event: SignInEvent }) {
  const { event } = props;
  switch (event.type) {
    case 'sign-in-failed':
      return (
        <span class="detail">
          <code>{event.code}</code>
          {event.providerCode !== undefined && (
            <>
              {' '}
              (provider: <code>{event.providerCode}</code>)
            </>
          )}
        </span>
      );
    case 'sessions-ended':
      return (
        <span class="detail">
          {event.count} {event.count === 1 ? 'session' : 'sessions'} {ENDED_BY[event.endedBy]}
          {event.actor !== null &&
            event.actor.key !== event.person?.key &&
            ` (${event.actor.name}${event.actor.username === undefined ? '' : `, ${event.actor.username}`})`}
        </span>
      );
    case 'session-end-refused':
      return <span class="detail">the handle names none of their sessions</span>;
    case 'access-denied':
      return (
        <span class="detail">
          {event.status} on <code>{event.path}</code>
          {event.missing !== null && `; missing ${event.missing}`}
        </span>
      );
    default:
      return null;
  }
}

function Person(props: { person: EventPerson | null }) {
  const { person } = props;
  if (person === null) return <>—</>;
  return (
    <>
      {person.name}
      {person.username !== undefined && <span class="detail">{person.username}</span>}
    </>
  );
}

function Handles(props: { handles: readonly string[] }) {
  if (props.handles.length === 0) return <>—</>;
  return (
    <>
      {props.handles.map((handle) => (
        <code class="handle" key={handle}>
          {handle}
        </code>
      ))}
    </>
  );
}

function personOf(event: SignInEvent): EventPerson | null {
  return 'person' in event ? event.person : null;
}

function handlesOf(event: SignInEvent): readonly string[] {
  if (event.type === 'sessions-ended') return event.sessions;
  if ('session' in event && event.session !== null) return [event.session];
  return [];
}
