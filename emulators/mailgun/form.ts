/**
 * The request bodies Mailgun accepts, parsed once into one shape: repeated text fields, uploaded files, and (for
 * the suppression endpoints) a JSON document. Bodies arrive as raw Buffers from the emulator frame.
 */
import busboy from 'busboy';
import { badRequest } from './errors.ts';
import { FAKE_JSON_LIMITS } from '../shared/json-body.ts';
import { parseJsonWithin } from '../../proxy/core/json-limits.ts';

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface ParsedForm {
  fields: Map<string, string[]>;
  files: UploadedFile[];
  /** Present only for `application/json` bodies. */
  json?: unknown;
}

const emptyForm = (): ParsedForm => ({ fields: new Map(), files: [] });

function addField(form: ParsedForm, name: string, value: string): void {
  const list = form.fields.get(name);
  if (list) list.push(value);
  else form.fields.set(name, [value]);
}

function parseMultipart(body: Buffer, contentType: string): Promise<ParsedForm> {
  const form = emptyForm();
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: 25 * 1024 * 1024 } });
    } catch (e) {
      reject(badRequest(`invalid multipart body: ${(e as Error).message}`));
      return;
    }
    bb.on('field', (name, value) => addField(form, name, value));
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      // A body cut off inside a file part errors the file's stream too; unheard, that error stopped the process.
      stream.on('error', (e) => reject(badRequest(`invalid multipart body: ${(e as Error).message}`)));
      stream.on('end', () => {
        form.files.push({ field, filename: info.filename ?? 'file', contentType: info.mimeType, bytes: Buffer.concat(chunks) });
      });
    });
    bb.on('error', (e) => reject(badRequest(`invalid multipart body: ${(e as Error).message}`)));
    bb.on('close', () => resolve(form));
    bb.end(body);
  });
}

function parseUrlEncoded(body: Buffer): ParsedForm {
  const form = emptyForm();
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) addField(form, name, value);
  return form;
}

function parseJson(body: Buffer): ParsedForm {
  if (body.length === 0) return { ...emptyForm(), json: null };
  const v = parseJsonWithin(body, FAKE_JSON_LIMITS);
  if (!v.ok) throw badRequest(v.problem === 'invalid' ? 'Invalid JSON' : v.message);
  return { ...emptyForm(), json: v.value };
}

/** Parse a body by its content type; any other type yields an empty form (Mailgun then reports the missing field). */
export async function parseForm(body: unknown, contentType: string | undefined): Promise<ParsedForm> {
  const buf = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return parseMultipart(buf, contentType!);
  if (type.startsWith('application/x-www-form-urlencoded')) return parseUrlEncoded(buf);
  if (type.startsWith('application/json')) return parseJson(buf);
  return emptyForm();
}

/** The first value of a field, or undefined when absent or empty. */
export function field(form: ParsedForm, name: string): string | undefined {
  const v = form.fields.get(name)?.[0];
  return v === undefined || v === '' ? undefined : v;
}

/** Every non-empty value of a field. */
export const fieldAll = (form: ParsedForm, name: string): string[] => (form.fields.get(name) ?? []).filter((v) => v !== '');
