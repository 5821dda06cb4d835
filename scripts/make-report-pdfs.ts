/**
 * Writes the seeded report PDFs (fixtures/aws/files/reports/…): tiny, valid, one-page PDFs whose bytes depend only
 * on their text, so re-running changes nothing. `npx tsx scripts/make-report-pdfs.ts`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/aws/files/reports');

/** customId/year/month/file → the line printed on the page. */
export const REPORTS: Record<string, string> = {
  'DN-1001/2025/06/royalty-statement.pdf': 'DN-1001 royalty statement June 2025',
  'DN-1001/2025/07/royalty-statement.pdf': 'DN-1001 royalty statement July 2025',
  'DN-1001/2025/07/payout-summary.pdf': 'DN-1001 payout summary July 2025',
  'DN-1002/2025/07/royalty-statement.pdf': 'DN-1002 royalty statement July 2025',
};

/** A one-page PDF 1.4 with one line of Helvetica; the xref offsets are computed, so readers accept it. */
export function minimalPdf(line: string): Buffer {
  const text = line.replace(/[()\\]/g, (c) => `\\${c}`);
  const stream = `BT /F1 14 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [rel, line] of Object.entries(REPORTS)) {
    const file = join(ROOT, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, minimalPdf(line));
    console.log(`wrote ${file}`);
  }
}
