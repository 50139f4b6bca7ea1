// Sign credentials with Digital Bazaar's libraries (@digitalbazaar/vc + eddsa-rdfc-2022-cryptosuite), for
// benchmarks/sign_bench.py's side-by-side. Offline: the JSON-LD contexts are sitegen's own bundled files.
//
//   node sign.mjs job.json    # job: {contexts: {url: file}, jwk, verificationMethod, items: [{credential, created}]}
//
// Prints one JSON object: {"seconds": time spent signing (after start-up), "cpuSeconds", "proofs": [proofValue, ...]}.
import fs from 'node:fs';
import {performance} from 'node:perf_hooks';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const contexts = new Map(Object.entries(job.contexts).map(
  ([url, file]) => [url, JSON.parse(fs.readFileSync(file, 'utf8'))]));

async function documentLoader(url) {
  if(!contexts.has(url)) {
    throw new Error(`offline: ${url} is not one of sitegen's bundled contexts`);
  }
  return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
}

const key = await Ed25519Multikey.fromJwk({jwk: job.jwk, secretKey: true, id: job.verificationMethod});
const signer = key.signer();
const proofs = [];
const start = performance.now();
const cpuStart = process.cpuUsage();
// One suite per `created` (a cohort's awards share it), as an issuing service keeps one for its key.
const suites = new Map();
for(const {credential, created} of job.items) {
  if(!suites.has(created)) {
    suites.set(created, new DataIntegrityProof({signer, date: created, cryptosuite: eddsaRdfc2022}));
  }
  const suite = suites.get(created);
  const signed = await vc.issue({credential, suite, documentLoader});
  proofs.push(signed.proof.proofValue);
}
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(JSON.stringify({seconds, cpuSeconds, proofs}) + '\n');
