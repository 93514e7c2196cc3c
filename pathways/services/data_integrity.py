"""W3C Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa),
Ed25519 keys as Multikeys, and the `did:key` identifiers derived from them.

Pure functions, no database: `badges` services decide which key signs what.

Signing follows vc-di-eddsa §3.3 exactly: the proof options (the proof without
`proofValue`, under the document's own `@context`) and the document without `proof` are
each canonicalised with RDF Dataset Canonicalization (RDFC-1.0, which pyld implements as
URDNA2015, the same algorithm under its earlier name), each hashed with SHA-256, and the
two digests concatenated (proof options first) are signed with Ed25519. The signature is
the multibase base58btc `proofValue`.

Every JSON-LD context comes from a local, unmodified copy in pathways/contexts/ (see
SOURCES.md there): canonicalisation never reaches the network, and a document naming a
context we do not hold is refused rather than fetched.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent.parent / "contexts"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT_FILES = {
    VC_V2_CONTEXT: "credentials-v2.jsonld",
    OB_V3_CONTEXT: "ob-v3p0-context-3.0.3.json",
}
CRYPTOSUITE = "eddsa-rdfc-2022"

# Multicodec prefixes (varint-encoded) of the Multikey format: ed25519-pub 0xed,
# ed25519-priv 0x1300.
_ED25519_PUB = b"\xed\x01"
_ED25519_PRIV = b"\x80\x26"
_MULTIKEY_NAMES = {
    _ED25519_PUB: "public Multikey (z6Mk…)",
    _ED25519_PRIV: "private Multikey (z3u2…)",
}


class ProofError(ValueError):
    """A key, document or proof that cannot be used as given (the message says why)."""


# --- Keys ---------------------------------------------------------------------------------


def private_key_generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _multikey_decode(text: str, *, prefix: bytes) -> bytes:
    """The 32 raw key bytes of an Ed25519 Multikey: multibase base58btc (`z…`) of the
    multicodec `prefix` and the key."""
    if not text.startswith("z"):
        raise ProofError("A Multikey starts with z (base58btc).")
    try:
        raw = base58.b58decode(text[1:])
    except ValueError as exc:
        raise ProofError("The key is not valid base58btc.") from exc
    if not raw.startswith(prefix) or len(raw) != len(prefix) + 32:
        raise ProofError(f"The key is not an Ed25519 {_MULTIKEY_NAMES[prefix]}.")
    return raw[len(prefix) :]


def _multikey_encode(raw: bytes, *, prefix: bytes) -> str:
    return "z" + base58.b58encode(prefix + raw).decode()


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """A private key from its Multikey form (`z…`, multicodec ed25519-priv) or from the
    32-byte seed in base64 / base64url (what `BADGE_SIGNING_KEY` holds)."""
    text = text.strip()
    # A seed's base64 is 43 characters (44 padded) and starts with "z" once in 64; a
    # private Multikey is 48, so the length tells the two apart.
    if text.startswith("z") and len(text.rstrip("=")) != 43:
        seed = _multikey_decode(text, prefix=_ED25519_PRIV)
    else:
        try:
            seed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=False)
        except ValueError as exc:
            raise ProofError("The key is neither a Multikey nor base64.") from exc
        if len(seed) != 32:
            raise ProofError(f"An Ed25519 seed is 32 bytes; this one is {len(seed)}.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key_multibase(key: Ed25519PrivateKey) -> str:
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _multikey_encode(seed, prefix=_ED25519_PRIV)


def public_key_multibase(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return _multikey_encode(raw, prefix=_ED25519_PUB)


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_multikey_decode(text, prefix=_ED25519_PUB))


def did_key(public_multibase: str) -> str:
    return f"did:key:{public_multibase}"


def did_key_verification_method(public_multibase: str) -> str:
    """The did:key method's one verification method: the DID, `#`, the key again."""
    return f"did:key:{public_multibase}#{public_multibase}"


def did_key_document(public_multibase: str) -> dict:
    """The DID document a did:key resolves to (did:key method spec, Multikey form)."""
    did = did_key(public_multibase)
    method = did_key_verification_method(public_multibase)
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_multibase,
            }
        ],
        "authentication": [method],
        "assertionMethod": [method],
        "capabilityDelegation": [method],
        "capabilityInvocation": [method],
    }


# --- Canonicalisation ---------------------------------------------------------------------


@cache
def _context_document(url: str) -> dict:
    return json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld's document loader: the contexts we hold, never the network."""
    if url not in CONTEXT_FILES:
        raise ProofError(f"No local copy of the JSON-LD context {url}; it is not fetched.")
    return {"contextUrl": None, "documentUrl": url, "document": _context_document(url)}


def canonical_nquads(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
        },
    )


def _hash_data(unsecured: dict, proof_options: dict) -> bytes:
    options = dict(proof_options)
    options["@context"] = unsecured["@context"]
    return (
        hashlib.sha256(canonical_nquads(options).encode()).digest()
        + hashlib.sha256(canonical_nquads(unsecured).encode()).digest()
    )


# --- Proofs -------------------------------------------------------------------------------


def proof_add(
    document: dict,
    *,
    key: Ed25519PrivateKey,
    verification_method: str,
    created: dt.datetime,
    proof_purpose: str = "assertionMethod",
) -> dict:
    """A copy of `document` secured with an eddsa-rdfc-2022 DataIntegrityProof. The
    proof is a one-element array, as 1EdTech's OB 3.0 schema requires (the same RDF as
    a lone object: `proof` is a graph container)."""
    unsecured = copy.deepcopy(document)
    unsecured.pop("proof", None)
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = key.sign(_hash_data(unsecured, proof))
    proof["proofValue"] = "z" + base58.b58encode(signature).decode()
    secured = copy.deepcopy(unsecured)
    secured["proof"] = [proof]
    return secured


def proof_verify(document: dict, *, public_key_multibase: str) -> None:
    """Check the document's eddsa-rdfc-2022 proof against the given public key.

    Our own check, used before serving what we signed; the tests prove the proofs with
    two verifiers written elsewhere (openbadgeslib and @digitalbazaar/vc)."""
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    proof = next(
        (p for p in proofs if isinstance(p, dict) and p.get("cryptosuite") == CRYPTOSUITE), None
    )
    if proof is None:
        raise ProofError("The document has no eddsa-rdfc-2022 proof.")
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("The proofValue is not multibase base58btc.")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        public_key_from_multibase(public_key_multibase).verify(
            base58.b58decode(value[1:]), _hash_data(unsecured, options)
        )
    except InvalidSignature as exc:
        raise ProofError("The proof does not verify: the document was changed.") from exc
