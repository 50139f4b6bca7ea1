// Source of assets/vendor/ob3-proof.js: verifies the eddsa-rdfc-2022 Data Integrity proof of an Open Badges 3.0
// credential (or a status list credential) in the browser, as sitegen/openbadges/proofs.py does in Python.
// build.sh bundles it; CONTEXTS is generated there from sitegen/openbadges/contexts/ (the bytes sitegen uses).
//
//   window.SitegenProof.verify(document, {publicKeyMultibase, useWebCrypto})
//     -> Promise<{verified: true} | {verified: false, reason, detail}>
//   window.SitegenProof.canonize(document) -> Promise<N-Quads string>
//
// Everything handed in is hostile until checked: nothing here throws to the caller, and no URL is ever fetched.

import jsonld from 'jsonld';
import * as ed from '@noble/ed25519';
import CONTEXTS, {EMBEDDED} from './contexts.generated.js';

const CRYPTOSUITE = 'eddsa-rdfc-2022';
const MULTIKEY_ED25519 = [0xed, 0x01];

// The contexts carried here, and nothing else: a document naming another @context is refused, never fetched.
function offlineLoader(refused) {
  return async function load(url) {
    if (!Object.prototype.hasOwnProperty.call(CONTEXTS, url)) {
      refused.push(String(url));
      throw new Error('context not carried by the verifier');
    }
    // A fresh copy each time: jsonld must never see (or change) a shared object.
    return {contextUrl: null, documentUrl: url, document: JSON.parse(CONTEXTS[url])};
  };
}
// jsonld's own default loader (XMLHttpRequest in a browser) must never run, even if an option is forgotten.
jsonld.documentLoader = offlineLoader([]);

class Refusal extends Error {
  constructor(reason, detail) {
    super(reason);
    this.reason = reason;
    this.detail = detail || '';
  }
}

// RDFC-1.0 canonical N-Quads, in safe mode: a term no context defines makes it fail instead of being dropped
// (a signature would not cover it). Errors become Refusals the caller can name.
async function canonical(document) {
  const refused = [];
  try {
    return await jsonld.canonize(document, {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      documentLoader: offlineLoader(refused),
      base: null,
      safe: true,
    });
  } catch (error) {
    if (refused.length) throw new Refusal('unknown-context', refused[0]);
    const event = error && error.details && error.details.event;
    if (event) {
      // Safe mode: the document holds data JSON-LD would drop, so the proof cannot cover what it says.
      const details = event.details || {};
      throw new Refusal('bad-signature', String(details.property || details.type || details.id || event.code));
    }
    throw new Refusal('malformed', '');
  }
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(multibase) {
  if (typeof multibase !== 'string' || multibase.charAt(0) !== 'z' || multibase.length < 2) {
    throw new Refusal('malformed', 'not base58btc multibase');
  }
  const bytes = [];
  for (const char of multibase.slice(1)) {
    let carry = BASE58.indexOf(char);
    if (carry < 0) throw new Refusal('malformed', 'not base58btc multibase');
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i] * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (const char of multibase.slice(1)) {
    if (char !== '1') break;
    bytes.push(0); // each leading '1' is a leading zero byte
  }
  return new Uint8Array(bytes.reverse());
}

function ed25519PublicKey(publicKeyMultibase) {
  const bytes = base58btc(publicKeyMultibase);
  if (bytes.length !== 34 || bytes[0] !== MULTIKEY_ED25519[0] || bytes[1] !== MULTIKEY_ED25519[1]) {
    throw new Refusal('malformed', 'not an Ed25519 Multikey');
  }
  return bytes.slice(2);
}

async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

// WebCrypto Ed25519 where the browser has it; null where it does not (then @noble/ed25519 decides).
async function webCryptoVerify(publicKey, signature, message) {
  let key;
  try {
    key = await crypto.subtle.importKey('raw', publicKey, {name: 'Ed25519'}, false, ['verify']);
  } catch (error) {
    return null;
  }
  return crypto.subtle.verify({name: 'Ed25519'}, key, signature, message);
}

async function ed25519Verify(publicKey, signature, message, useWebCrypto) {
  if (useWebCrypto) {
    const verdict = await webCryptoVerify(publicKey, signature, message);
    if (verdict !== null) return verdict;
  }
  try {
    // zip215: false is RFC 8032's strict verification, as OpenSSL (sitegen's Python) and WebCrypto do.
    return await ed.verifyAsync(signature, message, publicKey, {zip215: false});
  } catch (error) {
    return false; // a point that does not decode is a signature that does not match
  }
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// JSON with its keys sorted at every level: two objects with the same members give the same text.
function sortedJson(value) {
  if (Array.isArray(value)) return '[' + value.map(sortedJson).join(',') + ']';
  if (isObject(value)) {
    return '{' + Object.keys(value).sort().map(key => JSON.stringify(key) + ':' + sortedJson(value[key])).join(',') + '}';
  }
  return JSON.stringify(value);
}
const EMBEDDED_SORTED = EMBEDDED.map(text => sortedJson(JSON.parse(text)));

// Only the carried contexts, named by URL at the top, and sitegen's own embedded contexts exactly as it writes
// them: any other inline or nested @context could rename terms, so that the JSON a reader sees says something
// else than the signed RDF (the same triples) while the proof still holds.
function checkContexts(document) {
  if (document['@context'] === undefined) throw new Refusal('malformed', 'no @context');
  const top = Array.isArray(document['@context']) ? document['@context'] : [document['@context']];
  for (const context of top) {
    if (isObject(context) && EMBEDDED_SORTED.includes(sortedJson(context))) continue;
    if (typeof context !== 'string') throw new Refusal('unknown-context', 'an embedded context');
    if (!Object.prototype.hasOwnProperty.call(CONTEXTS, context)) throw new Refusal('unknown-context', context);
  }
  (function nested(node) {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      if (key === '@context') throw new Refusal('unknown-context', 'an embedded context');
      nested(node[key]);
    }
  })(Object.keys(document).filter(key => key !== '@context').map(key => document[key]));
}

async function check(document, options) {
  if (!isObject(document)) throw new Refusal('malformed', 'not a JSON object');
  checkContexts(document);
  const proofs = Array.isArray(document.proof) ? document.proof : isObject(document.proof) ? [document.proof] : [];
  if (!proofs.length) throw new Refusal('no-proof', '');
  const proof = proofs[0]; // as sitegen's Python: the first proof is the issuer's
  if (!isObject(proof)) throw new Refusal('malformed', 'proof is not an object');
  if (proof.type !== 'DataIntegrityProof' || proof.cryptosuite !== CRYPTOSUITE
      || proof.proofPurpose !== 'assertionMethod') {
    throw new Refusal('unsupported-proof', [proof.type, proof.cryptosuite, proof.proofPurpose].map(String).join(' '));
  }
  const signature = base58btc(proof.proofValue);
  if (signature.length !== 64) throw new Refusal('malformed', 'the signature is not 64 bytes');
  const publicKey = ed25519PublicKey(options.publicKeyMultibase);

  // The proof options (the proof without its value, with the document's @context) and the document without
  // its proof, each canonicalised and hashed: the 64 bytes that were signed.
  const unsecured = {};
  for (const key of Object.keys(document)) if (key !== 'proof') unsecured[key] = document[key];
  const proofConfig = {'@context': document['@context']};
  for (const key of Object.keys(proof)) if (key !== 'proofValue') proofConfig[key] = proof[key];
  const proofHash = await sha256(await canonical(proofConfig));
  const documentHash = await sha256(await canonical(unsecured));
  const message = new Uint8Array(64);
  message.set(proofHash, 0);
  message.set(documentHash, 32);

  if (!(await ed25519Verify(publicKey, signature, message, options.useWebCrypto !== false))) {
    throw new Refusal('bad-signature', '');
  }
}

async function verify(document, options) {
  try {
    await check(document, options || {});
    return {verified: true};
  } catch (error) {
    if (error instanceof Refusal) return {verified: false, reason: error.reason, detail: error.detail};
    return {verified: false, reason: 'malformed', detail: ''};
  }
}

async function canonize(document) {
  try {
    return await canonical(document);
  } catch (error) {
    throw new Error(error instanceof Refusal ? error.reason + (error.detail ? ': ' + error.detail : '') : 'malformed');
  }
}

window.SitegenProof = {verify: verify, canonize: canonize};
