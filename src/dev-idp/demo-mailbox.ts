import type { DevAccount } from './accounts.js';

/** A message as the Graph fake lists it: the fields of Graph's `message` resource it knows. */
export interface DemoMessage {
  readonly id: string;
  readonly subject: string;
  readonly from: { readonly emailAddress: { readonly name: string; readonly address: string } };
  readonly receivedDateTime: string;
  readonly bodyPreview: string;
}

// Mailboxes by username; Alice's, newest first, as Graph sorts `/me/messages` by default. Made up, and saying so.
const mailboxes: Readonly<Record<string, readonly DemoMessage[]>> = {
  'alice@contoso.test': [
    message(
      'AAMkAGI2TG93AAA=',
      'Roadmap review moved to Thursday',
      ['Bob Example', 'bob@contoso.test'],
      '2025-03-04T16:05:00Z',
      'Hi Alice, the roadmap review is now on Thursday at 10:00 in Building 4.',
    ),
    message(
      'AAMkAGI2TG94AAA=',
      'Welcome to the development Graph fake',
      ['Development identity provider', 'noreply@contoso.test'],
      '2025-03-03T09:00:00Z',
      'This mailbox is a development fake of Microsoft Graph: none of it is real mail.',
    ),
    message(
      'AAMkAGI2TG95AAA=',
      'Lunch?',
      ['Carol Example', 'carol@contoso.test'],
      '2025-03-01T11:42:00Z',
      'Are you free for lunch on Friday? The new place near Building 4 opened.',
    ),
  ],
};

/** The account's demo messages, newest first; none for an account without a mailbox. */
export function demoMessagesOf(account: DevAccount): readonly DemoMessage[] {
  return mailboxes[account.username.toLowerCase()] ?? [];
}

function message(
  id: string,
  subject: string,
  [name, address]: [string, string],
  receivedDateTime: string,
  bodyPreview: string,
): DemoMessage {
  return { id, subject, from: { emailAddress: { name, address } }, receivedDateTime, bodyPreview };
}
