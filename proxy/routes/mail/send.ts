/** `POST /send-mail` (seed 002: CRM → dn-api → Lambda → CloudFront signed URLs → Mailgun) and its status read. */
import { audit } from '../../core/audit.ts';
import { awsCall } from '../../core/aws.ts';
import { ProxyError, badRequest, notFound } from '../../core/errors.ts';
import { IDEMPOTENCY_KEY_HEADER } from '../../core/idempotency.ts';
import { validateBody } from '../../core/validate.ts';
import type { Handler } from '../../core/types.ts';
import { monthFolder } from '../reports/keys.ts';
import { ENGAGEMENTS, type DeliveryState, type Outcome } from './deliveries.ts';
import { mailOf, type MailServices } from './deps.ts';
import { bareMessageId } from './mailgun.ts';
import { sendMailSchema, type SendMailRequest } from './schema.ts';
import { REPLAYED_HEADER, normalised, sendKeyOf, sendOnce, type Campaign } from './idempotent-send.ts';
import { htmlSection, textSection, withReports, type ReportSection } from './template.ts';

export const sendMail: Handler = async (req, deps) => {
  const mail = mailOf(deps);
  const body = normalised(validateBody<SendMailRequest>(sendMailSchema, req.json));
  const key = sendKeyOf(req, body, mail.cfg.derivedKeyWindowSeconds);
  // Every answer names the key, so a client that sent none can retry with the one the proxy derived.
  const named = { [IDEMPOTENCY_KEY_HEADER]: key.header };
  // The caller is the CRM's API key (checked by the gateway, which keeps the key); recipients are counted, not named.
  const sent = { action: 'mail.send', actor: 'crm', resource: `campaign:${body.campaign.name}`, requestId: req.requestId } as const;
  try {
    const res = await sendOnce({ mail, clock: deps.clock, key, body, build: () => campaignOf(mail, body) });
    const messages = (res.body as { messages?: { id: string }[] }).messages?.map((m) => m.id);
    audit(deps, { ...sent, outcome: 'success', details: { recipients: body.to.length, messages, ...(res.headers?.[REPLAYED_HEADER] ? { replayed: true } : {}) } });
    return { ...res, headers: { ...res.headers, ...named } };
  } catch (e) {
    audit(deps, { ...sent, outcome: 'failure', details: { recipients: body.to.length, code: e instanceof ProxyError ? e.code : 'internal_error' } });
    if (e instanceof ProxyError) throw new ProxyError(e.status, e.code, e.message, e.details, { ...e.headers, ...named });
    throw e;
  }
};

/** The mail every batch carries (report links signed now) and the answer's fields besides the message ids. */
async function campaignOf(mail: MailServices, body: SendMailRequest): Promise<Campaign> {
  const section = body.attachReporting ? await reportSection(mail, body) : undefined;
  const html = section ? withReports(body.html, htmlSection(section), true) : body.html;
  const text = section ? withReports(body.text, textSection(section), false) : body.text;
  return {
    mail: {
      from: body.from, to: body.to, subject: body.subject, html, text, replyTo: body.replyTo,
      tag: body.campaign.name, variables: { campaign: body.campaign.name, campaign_type: body.campaign.type },
    },
    extra: {
      links: section?.links.map((l) => ({ customId: l.customId, key: l.key, url: l.url, expiresAt: l.expiresAt })) ?? [],
      missingReports: section?.missing ?? [],
    },
  };
}

/** For each custom id, the month's report objects, each with a signed link; an empty month is named. */
async function reportSection(mail: MailServices, body: SendMailRequest): Promise<ReportSection> {
  const month = body.month ?? body.campaign.month;
  const year = body.year ?? body.campaign.year;
  if (!month || !year) throw badRequest('validation_failed', 'attachReporting needs month and year (top level or in campaign)', { problems: [{ field: month ? 'year' : 'month', problem: 'is required when attachReporting is true' }] });
  const period = `${year}-${month.padStart(2, '0')}`;
  const section: ReportSection = { links: [], missing: [] };
  const listings = await Promise.all(body.customIds!.map(async (customId) => ({ customId, objects: await mail.reports.objects(monthFolder(mail.cfg.reportsPrefix, customId, year, month)) })));
  for (const { customId, objects } of listings) {
    const files = objects.filter((o) => !o.key.endsWith('/'));
    if (files.length === 0) section.missing.push({ customId, period });
    for (const f of files) section.links.push({ customId, ...mail.links.sign(f.key) });
  }
  return section;
}

export const mailStatus: Handler = async (req, deps) => {
  const mail = mailOf(deps);
  const id = bareMessageId(req.params.id);
  if (!id || id.length > 512) throw badRequest('invalid_message_id', 'the message id is empty or too long');
  const rows = await awsCall('DynamoDB Query (mail deliveries)', () => mail.deliveries.forMessage(id));
  if (rows.length === 0) throw notFound('message_not_found', `no message ${id} was sent through this proxy`);
  return { status: 200, body: { id: `<${id}>`, summary: deliverySummary(rows), recipients: rows.map(recipientView) } };
};

/**
 * Every recipient is in exactly one outcome bucket (pending: accepted; retrying: a temporary failure Mailgun is
 * retrying; delivered; failed: permanent), so the buckets add up to `recipients`; engagement counts the recipients
 * who did each thing at least once, whatever their outcome.
 */
export function deliverySummary(rows: DeliveryState[]) {
  const count = (o: Outcome) => rows.filter((r) => r.outcome === o).length;
  return {
    recipients: rows.length,
    pending: count('accepted'), retrying: count('temporary_fail'), delivered: count('delivered'), failed: count('permanent_fail'),
    engagement: Object.fromEntries(ENGAGEMENTS.map((e) => [e, rows.filter((r) => r.engagement[e] !== undefined).length])),
  };
}

/** One recipient as Mailgun's Events API names it (`failed` with its severity), with the engagement beside it. */
function recipientView(r: DeliveryState) {
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const [status, severity] = r.outcome === 'temporary_fail' ? ['failed', 'temporary'] : r.outcome === 'permanent_fail' ? ['failed', 'permanent'] : [r.outcome];
  return {
    recipient: r.recipient, status, ...(severity ? { severity } : {}), at: iso(r.at), ...(r.reason ? { reason: r.reason } : {}),
    engagement: Object.fromEntries(Object.entries(r.engagement).map(([k, v]) => [k, iso(v)])),
  };
}
