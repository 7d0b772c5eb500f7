// Checks of the SBOMs a build writes. CycloneDX: the official 1.6 JSON schema, through
// the CycloneDX library's validator. SPDX 2.3: no package here ships the official JSON
// schema, so its rules are checked here one by one, each naming the clause of the SPDX
// 2.3 specification it comes from (and the JSON schema's enumerations, which are what
// tools validate against). Package URLs: the purl specification's rules for each
// component and its character encoding.
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

/** null when the document is valid CycloneDX 1.6, else the validator's errors. */
export async function cycloneDxErrors(text: string): Promise<unknown> {
  return new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text);
}

/** The SPDX 2.3 JSON schema's enumeration of primaryPackagePurpose (clause 7.24): underscores, not the tag-value hyphens. */
export const SPDX_PACKAGE_PURPOSES = ['OTHER', 'INSTALL', 'ARCHIVE', 'FIRMWARE', 'APPLICATION', 'FRAMEWORK', 'LIBRARY', 'CONTAINER', 'SOURCE', 'DEVICE', 'OPERATING_SYSTEM', 'FILE'];
/** Its checksum algorithms (clause 7.10). */
const SPDX_ALGORITHMS = ['SHA1', 'BLAKE3', 'SHA3-384', 'SHA256', 'SHA384', 'BLAKE2b-512', 'BLAKE2b-256', 'SHA3-512', 'MD2', 'ADLER32', 'MD4', 'SHA3-256', 'BLAKE2b-384', 'SHA512', 'MD6', 'MD5', 'SHA224'];
/** External reference categories (clause 7.21). */
const SPDX_REFERENCE_CATEGORIES = ['OTHER', 'PERSISTENT-ID', 'SECURITY', 'PACKAGE-MANAGER'];
/** The relationship types this tool writes, all in the schema's enumeration (clause 11.1). */
const SPDX_RELATIONSHIPS = ['DESCRIBES', 'CONTAINS', 'DEPENDS_ON'];
/** The members the schema allows (it sets additionalProperties: false) at each level. */
const SPDX_DOCUMENT_KEYS = ['SPDXID', 'annotations', 'comment', 'creationInfo', 'dataLicense', 'externalDocumentRefs', 'hasExtractedLicensingInfos', 'name', 'revieweds', 'spdxVersion', 'documentNamespace', 'documentDescribes', 'packages', 'files', 'snippets', 'relationships'];
const SPDX_PACKAGE_KEYS = ['SPDXID', 'annotations', 'attributionTexts', 'builtDate', 'checksums', 'comment', 'copyrightText', 'description', 'downloadLocation', 'externalRefs', 'filesAnalyzed', 'hasFiles', 'homepage', 'licenseComments', 'licenseConcluded', 'licenseDeclared', 'licenseInfoFromFiles', 'name', 'originator', 'packageFileName', 'packageVerificationCode', 'primaryPackagePurpose', 'releaseDate', 'sourceInfo', 'summary', 'supplier', 'validUntilDate', 'versionInfo'];
const SPDX_RELATIONSHIP_KEYS = ['spdxElementId', 'comment', 'relatedSpdxElement', 'relationshipType'];

const ID = /^SPDXRef-[a-zA-Z0-9.-]+$/;

/** The problems of an SPDX 2.3 JSON document, each naming its clause; empty when none. */
export function spdxProblems(doc: any): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => ok || problems.push(what);
  const onlyKeys = (object: object, allowed: string[], where: string) => {
    for (const key of Object.keys(object)) need(allowed.includes(key), `${where}: the schema allows no member ${key}`);
  };
  onlyKeys(doc, SPDX_DOCUMENT_KEYS, 'document');
  need(doc.spdxVersion === 'SPDX-2.3', '6.1 SPDX version: SPDX-2.3');
  need(doc.dataLicense === 'CC0-1.0', '6.2 Data license: CC0-1.0');
  need(doc.SPDXID === 'SPDXRef-DOCUMENT', '6.3 SPDX identifier: SPDXRef-DOCUMENT');
  need(typeof doc.name === 'string' && doc.name !== '', '6.4 Document name: required');
  need(/^[a-z][a-z0-9+.-]*:[^#\s]+$/.test(doc.documentNamespace ?? ''), '6.5 SPDX document namespace: an absolute URI without #');
  need(Array.isArray(doc.creationInfo?.creators) && doc.creationInfo.creators.length > 0, '6.8 Creator: at least one');
  for (const creator of doc.creationInfo?.creators ?? []) need(/^(Tool|Person|Organization): \S/.test(creator), `6.8 Creator: ${creator}`);
  need(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(doc.creationInfo?.created ?? ''), '6.9 Created: a UTC date-time YYYY-MM-DDThh:mm:ssZ');
  const ids = new Set<string>(['SPDXRef-DOCUMENT']);
  for (const p of doc.packages ?? []) {
    onlyKeys(p, SPDX_PACKAGE_KEYS, `package ${p.SPDXID}`);
    need(typeof p.name === 'string' && p.name !== '', `7.1 Package name: required (${p.SPDXID})`);
    need(ID.test(p.SPDXID ?? ''), `7.2 Package SPDX identifier: ${p.SPDXID}`);
    need(!ids.has(p.SPDXID), `7.2 Package SPDX identifier: ${p.SPDXID} is unique`);
    ids.add(p.SPDXID);
    need(typeof p.downloadLocation === 'string' && p.downloadLocation !== '', `7.7 Package download location: required (${p.SPDXID})`);
    need(p.filesAnalyzed === undefined || typeof p.filesAnalyzed === 'boolean', `7.8 Files analyzed: a boolean (${p.SPDXID})`);
    for (const c of p.checksums ?? []) {
      need(SPDX_ALGORITHMS.includes(c.algorithm) && /^[0-9a-f]+$/.test(c.checksumValue ?? ''), `7.10 Package checksum: ${c.algorithm} ${c.checksumValue}`);
    }
    for (const ref of p.externalRefs ?? []) {
      need(SPDX_REFERENCE_CATEGORIES.includes(ref.referenceCategory), `7.21 External reference: category ${ref.referenceCategory}`);
      need(typeof ref.referenceType === 'string' && typeof ref.referenceLocator === 'string' && !/\s/.test(ref.referenceLocator), `7.21 External reference: type and a locator without spaces (${p.SPDXID})`);
      if (ref.referenceType === 'purl') need(purlProblems(ref.referenceLocator).length === 0, `7.21 External reference: ${ref.referenceLocator}: ${purlProblems(ref.referenceLocator).join('; ')}`);
    }
    if (p.primaryPackagePurpose !== undefined) {
      need(SPDX_PACKAGE_PURPOSES.includes(p.primaryPackagePurpose), `7.24 Primary package purpose: ${p.primaryPackagePurpose} is not one of ${SPDX_PACKAGE_PURPOSES.join(', ')}`);
    }
  }
  for (const id of doc.documentDescribes ?? []) need(ids.has(id), `6 documentDescribes: ${id} is an element of the document`);
  for (const r of doc.relationships ?? []) {
    onlyKeys(r, SPDX_RELATIONSHIP_KEYS, 'relationship');
    need(SPDX_RELATIONSHIPS.includes(r.relationshipType), `11.1 Relationship: type ${r.relationshipType}`);
    need(ids.has(r.spdxElementId) && ids.has(r.relatedSpdxElement), `11.1 Relationship: ends ${r.spdxElementId} -> ${r.relatedSpdxElement} are elements of the document`);
  }
  return problems;
}

export interface Purl {
  type: string;
  namespace: string | null;
  name: string;
  version: string | null;
  qualifiers: Record<string, string>;
}

/** Characters a canonical purl component keeps as they are ("Character encoding": alphanumerics, `.-_~`, and ':'). */
const PURL_PLAIN = /^(?:[A-Za-z0-9._~:-]|%[0-9A-F]{2})*$/;

/** A purl split into its components, each percent-decoded; null where it is not one. */
export function parsePurl(purl: string): Purl | null {
  const match = /^pkg:([a-z][a-z0-9.-]*)\/([^@?#]+)(?:@([^?#]+))?(?:\?([^#]+))?$/.exec(purl);
  if (!match) return null;
  const path = match[2]!.split('/');
  const qualifiers: Record<string, string> = {};
  for (const pair of match[4]?.split('&') ?? []) {
    const [key, value] = pair.split('=');
    if (key === undefined || value === undefined) return null;
    qualifiers[key] = decodeURIComponent(value);
  }
  return {
    type: match[1]!,
    namespace: path.length > 1 ? path.slice(0, -1).map(decodeURIComponent).join('/') : null,
    name: decodeURIComponent(path.at(-1)!),
    version: match[3] === undefined ? null : decodeURIComponent(match[3]),
    qualifiers,
  };
}

/** What makes `purl` not a canonical deb package URL, each naming the purl spec's rule; empty when none. */
export function purlProblems(purl: string): string[] {
  const problems: string[] = [];
  const parsed = parsePurl(purl);
  if (!parsed) return ['not scheme:type/namespace/name@version?qualifiers'];
  const [, , path, version, qualifiers] = /^pkg:([^/]+)\/([^@?]+)(?:@([^?]+))?(?:\?(.+))?$/.exec(purl)!;
  const parts = [...path!.split('/'), ...(version ? [version] : []), ...(qualifiers?.split('&').map((q) => q.slice(q.indexOf('=') + 1)) ?? [])];
  for (const part of parts) if (!PURL_PLAIN.test(part)) problems.push(`Character encoding: ${part} is not percent-encoded as the spec says`);
  if (/%3A/i.test(purl)) problems.push('Character encoding: the colon is never percent-encoded');
  if (parsed.type !== 'deb') problems.push(`type: deb, not ${parsed.type}`);
  if (!parsed.namespace) problems.push('deb type: the namespace (vendor) is required');
  if (parsed.namespace !== parsed.namespace?.toLowerCase() || parsed.name !== parsed.name.toLowerCase()) problems.push('deb type: vendor and name are lowercase');
  if (/[.:]/.test(parsed.namespace ?? '')) problems.push('namespace: a URL host or authority must not be the namespace; use repository_url');
  const keys = Object.keys(parsed.qualifiers);
  for (const key of keys) if (!/^[a-z][a-z0-9._-]*$/.test(key)) problems.push(`qualifiers: key ${key}`);
  if (keys.join('&') !== [...keys].sort().join('&')) problems.push('How to build: qualifiers sorted by key');
  for (const key of keys) if (!['arch', 'distro', 'repository_url'].includes(key)) problems.push(`deb type: no qualifier ${key}`);
  return problems;
}
