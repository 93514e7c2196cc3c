// An independent Open Badges 3.0 verifier, written with Digital Bazaar's libraries from
// npm (@digitalbazaar/vc, @digitalbazaar/data-integrity, the eddsa-rdfc-2022 cryptosuite
// and @digitalbazaar/vc-bitstring-status-list), run by tests/pathways/test_badges_verifiers.py.
//
//   node verify_badge.mjs <credential URL> <issuer profile URL> <OB 3.0 context file>
//
// It fetches the credential and the issuer's profile from the running server, trusts
// only the DIDs that profile names, resolves the did:key verification method with
// @digitalbazaar/did-method-key, fetches the status list credential from the server
// (and verifies its own proof), and prints one JSON line: {verified, errors, ...}.
// The JSON-LD contexts come from npm packages (VC 2.0, DID, Multikey) and the given
// file (the OB 3.0 context, which is on no npm package); nothing else is fetched.

import {readFileSync} from 'node:fs';

import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {CachedResolver} from '@digitalbazaar/did-io';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {contexts as multikeyContexts} from '@digitalbazaar/multikey-context';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import didContext from 'did-context';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';

const [credentialUrl, issuerUrl, obContextPath] = process.argv.slice(2);
const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const serverOrigin = new URL(credentialUrl).origin;

async function fetchJson(url) {
  const response = await fetch(url, {headers: {accept: 'application/ld+json'}});
  if(!response.ok) {
    throw new Error(`GET ${url} answered ${response.status}`);
  }
  return response.json();
}

const staticLoader = new JsonLdDocumentLoader();
staticLoader.addDocuments({documents: [
  ...credentialsContexts, ...multikeyContexts, ...didContext.contexts
]});
staticLoader.addStatic(OB_CONTEXT, JSON.parse(readFileSync(obContextPath, 'utf8')));
const keyDriver = didKeyDriver();
keyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
const resolver = new CachedResolver();
resolver.use(keyDriver);
staticLoader.setDidResolver(resolver);
const baseLoader = staticLoader.build();

// Contexts and DIDs offline; documents on the server under test (the status list) over
// HTTP; anything else is refused.
async function documentLoader(url) {
  if(url.startsWith(serverOrigin + '/')) {
    return {contextUrl: null, documentUrl: url, document: await fetchJson(url)};
  }
  return baseLoader(url);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
const errors = [];
let result = {};
try {
  const credential = await fetchJson(credentialUrl);
  const issuer = await fetchJson(issuerUrl);
  const trusted = new Set([issuer.id, ...(issuer.otherIdentifier || []).map(
    entry => entry.identifier)]);
  const issuerId = typeof credential.issuer === 'object' ?
    credential.issuer.id : credential.issuer;
  const proofs = [].concat(credential.proof || []);
  if(!trusted.has(issuerId)) {
    errors.push(`issuer ${issuerId} is not named by ${issuerUrl}`);
  }
  for(const {verificationMethod: method} of proofs) {
    if(!method || method.split('#')[0] !== issuerId) {
      errors.push(`verification method ${method} is not the issuer's`);
    }
  }
  result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  if(!result.verified) {
    const error = result.error || {};
    for(const e of (error.errors || [error])) {
      errors.push(e.message || String(e));
    }
  }
  const statusResults = (result.statusResult && result.statusResult.results) || [];
  for(const status of statusResults) {
    if(status.status) {
      errors.push(`revoked: bit ${status.credentialStatus.statusListIndex} is set in ` +
        status.credentialStatus.statusListCredential);
    }
  }
} catch(e) {
  errors.push(e.message || String(e));
}
console.log(JSON.stringify({
  verified: errors.length === 0,
  errors,
  proofVerified: Boolean(result.verified),
  statusChecked: Boolean(result.statusResult && result.statusResult.verified),
}));
