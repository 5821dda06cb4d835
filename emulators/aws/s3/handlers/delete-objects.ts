/** DeleteObjects: up to 1000 keys in one XML request, each answered in Deleted or Error. Source: API_DeleteObjects.html */
import { errors, S3Error } from '../errors.ts';
import { xmlResponse, type S3Handler } from '../request.ts';
import { asArray, asString, asText, doc, leaf, node, parseXmlBody } from '../xml.ts';
import { verifyIntegrity } from '../body.ts';

export const deleteObjects: S3Handler = (req, { state, access }) => {
  state.bucket(req.bucket!);
  verifyIntegrity(req.body, req.headers, req.trailers);
  const root = parseXmlBody(req.body, 'Delete');
  const quiet = asText(root.Quiet) === 'true';
  const objects = asArray(root.Object).map((raw) => {
    const o = (raw ?? {}) as Record<string, unknown>;
    const key = asString(o.Key);
    if (key === undefined) throw errors.MalformedXML();
    // The key is taken byte for byte: never trimmed (a key may be ' ' or end in spaces).
    return { key, versionId: asText(o.VersionId) };
  });
  if (objects.length === 0 || objects.length > 1000) throw errors.MalformedXML();
  const out: string[] = [];
  for (const o of objects) {
    try {
      // Each key is authorized as its own DeleteObject: a refused one is an AccessDenied entry in the 200.
      access.check(req, o.versionId === undefined ? 's3:deleteobject' : 's3:deleteobjectversion', req.bucket!, o.key, { versionId: o.versionId });
      const r = state.deleteObject(req.bucket!, o.key, o.versionId);
      if (quiet) continue;
      out.push(node('Deleted', leaf('Key', o.key), leaf('VersionId', o.versionId),
        r.deleteMarker ? leaf('DeleteMarker', true) : '',
        r.deleteMarker ? leaf('DeleteMarkerVersionId', r.versionId) : ''));
    } catch (e) {
      if (!(e instanceof S3Error)) throw e;
      out.push(node('Error', leaf('Key', o.key), leaf('VersionId', o.versionId), leaf('Code', e.code), leaf('Message', e.message)));
    }
  }
  return xmlResponse(doc('DeleteResult', ...out));
};
