// Checks of the SBOMs a build writes. CycloneDX: the official 1.6 JSON schema, through
// the CycloneDX library's validator. SPDX 2.3: no npm package ships the official JSON
// schema, so the fields that schema requires and the references it cannot check are
// checked here.
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

/** null when the document is valid CycloneDX 1.6, else the validator's errors. */
export async function cycloneDxErrors(text: string): Promise<unknown> {
  return new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text);
}

const RELATIONSHIPS = new Set(['DESCRIBES', 'CONTAINS', 'DEPENDS_ON']);

/** The problems of an SPDX 2.3 document: required fields, identifiers, relationship ends. */
export function spdxProblems(doc: any): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => ok || problems.push(what);
  need(doc.spdxVersion === 'SPDX-2.3', 'spdxVersion is SPDX-2.3');
  need(doc.dataLicense === 'CC0-1.0', 'dataLicense is CC0-1.0');
  need(doc.SPDXID === 'SPDXRef-DOCUMENT', 'SPDXID is SPDXRef-DOCUMENT');
  need(typeof doc.name === 'string' && doc.name !== '', 'a name');
  need(/^[a-z][a-z0-9+.-]*:[^#\s]+$/.test(doc.documentNamespace ?? ''), 'documentNamespace is an absolute URI without #');
  need(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(doc.creationInfo?.created ?? ''), 'creationInfo.created is a UTC date-time');
  need(Array.isArray(doc.creationInfo?.creators) && doc.creationInfo.creators.every((c: string) => /^Tool: \S/.test(c)), 'creators');
  const ids = new Set<string>(['SPDXRef-DOCUMENT']);
  for (const p of doc.packages ?? []) {
    need(/^SPDXRef-[a-zA-Z0-9.-]+$/.test(p.SPDXID), `package id ${p.SPDXID}`);
    need(!ids.has(p.SPDXID), `package id ${p.SPDXID} is unique`);
    ids.add(p.SPDXID);
    need(typeof p.name === 'string' && p.name !== '' && typeof p.downloadLocation === 'string', `package ${p.SPDXID} has name and downloadLocation`);
    for (const ref of p.externalRefs ?? []) {
      need(ref.referenceCategory === 'PACKAGE-MANAGER' && ref.referenceType === 'purl' && /^pkg:deb\//.test(ref.referenceLocator), `purl of ${p.SPDXID}`);
    }
  }
  for (const r of doc.relationships ?? []) {
    need(RELATIONSHIPS.has(r.relationshipType), `relationship type ${r.relationshipType}`);
    need(ids.has(r.spdxElementId) && ids.has(r.relatedSpdxElement), `relationship ends ${r.spdxElementId} -> ${r.relatedSpdxElement}`);
  }
  return problems;
}
