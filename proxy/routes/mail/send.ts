/** `POST /send-mail` (seed 002: CRM → dn-api → Lambda → CloudFront signed URLs → Mailgun) and its status read. */
import { audit } from '../../core/audit.ts';
import { badRequest, notFound, ProxyError } from '../../core/errors.ts';
import { validateBody } from '../../core/validate.ts';
import type { Handler } from '../../core/types.ts';
import { monthFolder } from '../reports/keys.ts';
import { mailOf, type MailServices } from './deps.ts';
import { bareMessageId } from './mailgun.ts';
import { sendMailSchema, type SendMailRequest } from './schema.ts';
import { htmlSection, textSection, withReports, type ReportSection } from './template.ts';

export const sendMail: Handler = async (req, deps) => {
  const mail = mailOf(deps);
  const body = validateBody<SendMailRequest>(sendMailSchema, req.json);
  const section = body.attachReporting ? await reportSection(mail, body) : undefined;
  const html = section ? withReports(body.html, htmlSection(section), true) : body.html;
  const text = section ? withReports(body.text, textSection(section), false) : body.text;
  // The caller is the CRM's API key (checked by the gateway, which keeps the key); recipients are counted, not named.
  const sent = { action: 'mail.send', actor: 'crm', resource: `campaign:${body.campaign.name}`, requestId: req.requestId } as const;
  const batches = await mail.mailgun.send({
    from: body.from, to: body.to, subject: body.subject, html, text, replyTo: body.replyTo,
    tag: body.campaign.name, variables: { campaign: body.campaign.name, campaign_type: body.campaign.type },
  }).catch((e: unknown) => {
    audit(deps, { ...sent, outcome: 'failure', details: { recipients: body.to.length, code: e instanceof ProxyError ? e.code : 'internal_error' } });
    throw e;
  });
  audit(deps, { ...sent, outcome: 'success', details: { recipients: body.to.length, messages: batches.map((b) => b.id) } });
  const at = Math.floor(deps.clock.now() / 1000);
  for (const b of batches) await mail.deliveries.recordAccepted(bareMessageId(b.id), b.recipients, at);
  return {
    status: 200,
    body: {
      message: 'Queued',
      messages: batches.map((b) => ({ id: b.id, recipients: b.recipients.length })),
      links: section?.links.map((l) => ({ customId: l.customId, key: l.key, url: l.url, expiresAt: l.expiresAt })) ?? [],
      missingReports: section?.missing ?? [],
    },
  };
};

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
  const rows = await mail.deliveries.forMessage(id);
  if (rows.length === 0) throw notFound('message_not_found', `no message ${id} was sent through this proxy`);
  const recipients = rows.map((r) => ({ recipient: r.recipient, status: r.status, at: new Date(r.at * 1000).toISOString(), ...(r.reason ? { reason: r.reason } : {}), ...(r.severity ? { severity: r.severity } : {}) }));
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  return { status: 200, body: { id: `<${id}>`, summary: { recipients: rows.length, delivered: count('delivered'), failed: count('failed'), pending: count('accepted') }, recipients } };
};
