/** JSON Schema of the seed's `SendMailRequest` (seed 002, "Request Payload (Updated)"). */
const email = { type: 'string', format: 'email', maxLength: 254 };
// A From may carry a display name: "Distro Nation <reports@example.com>".
const mailbox = { type: 'string', minLength: 3, maxLength: 320, pattern: '^(?:[^<>]*<[^<>@\\s]+@[^<>@\\s]+>|[^<>@\\s]+@[^<>@\\s]+)$' };
const month = { type: 'string', pattern: '^(0?[1-9]|1[0-2])$' };
const year = { type: 'string', pattern: '^(19|20)\\d\\d$' };

export const sendMailSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'subject', 'html', 'text', 'from', 'campaign'],
  properties: {
    // Mailgun's batch limit is 1,000 recipients per call; the proxy splits larger lists, capped here.
    to: { type: 'array', minItems: 1, maxItems: 10_000, uniqueItems: true, items: email },
    subject: { type: 'string', minLength: 1, maxLength: 998 },
    html: { type: 'string', minLength: 1, maxLength: 500_000 },
    text: { type: 'string', minLength: 1, maxLength: 500_000 },
    from: mailbox,
    replyTo: email,
    campaign: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type'],
      properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, type: { enum: ['financial', 'newsletter'] }, month, year },
    },
    attachReporting: { type: 'boolean' },
    customIds: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
    month,
    year,
  },
  // With reporting, the reports to link must be named.
  if: { properties: { attachReporting: { const: true } }, required: ['attachReporting'] },
  then: { required: ['customIds'] },
};

export interface SendMailRequest {
  to: string[];
  subject: string;
  html: string;
  text: string;
  from: string;
  replyTo?: string;
  campaign: { name: string; type: 'financial' | 'newsletter'; month?: string; year?: string };
  attachReporting?: boolean;
  customIds?: string[];
  month?: string;
  year?: string;
}
