"""The same credentials signed three ways, side by side: sitegen (its fast path), plain pyld (sitegen's proofs
with fast=False) and Digital Bazaar's JavaScript signer (@digitalbazaar/vc + eddsa-rdfc-2022-cryptosuite).

    python benchmarks/sign_bench.py 1000       # credentials/second of each, the ratios, and the cross-check

The credentials are the OB 3.0 credentials of a synthetic site of N awards built by `sitegen build` (the
generator of build_bench.py). Each signer signs every one of them with the site's key and the `created` of its
published proof, one process, one credential after another (start-up not counted); their CPU time is the
steadier figure on a machine shared with other work. RDFC-1.0 and Ed25519 are
deterministic, so the three must give the very proofValue the build published: the script says how many agree
and exits 1 on any difference.

The JavaScript signer is pinned in benchmarks/js-signer/package.json (package-lock.json); install it once with
`npm ci --prefix benchmarks/js-signer` (node_modules/ is ignored by git). Without node or those modules the
script says so and compares the two Python signers only.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from build_bench import build, generate  # noqa: E402

from sitegen.openbadges import jsonld, proofs  # noqa: E402
from sitegen.openbadges.keys import base58_encode, load_private_key  # noqa: E402

JS_SIGNER = HERE / "js-signer"


@dataclass
class Run:
    signer: str
    seconds: float
    cpu_seconds: float  # what the signer costs, whatever else shares the machine
    proof_values: list[str]


def built_credentials(base: Path, awards: int) -> tuple[list[dict], Path]:
    """The signed credentials of a freshly built synthetic site, and its private key file."""
    root = base / "site"
    env = generate(root, awards, signed=True, baking="browser")
    build(root, env, None)
    files = sorted((root / "output/credentials").glob("*.json"))
    return [json.loads(path.read_text(encoding="utf-8")) for path in files], Path(env["SITEGEN_SIGNING_KEY_FILE"])


def sign_python(credentials: list[dict], key, *, fast: bool) -> Run:
    """Sign in this process: sitegen's sign_credential (fast path), or the same proof with pyld canonicalising."""
    values = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for credential in credentials:
        proof = credential["proof"][0]
        if fast:
            signed = proofs.sign_credential(credential, key, proof["verificationMethod"], proof["created"])
            values.append(signed["proof"][0]["proofValue"])
        else:
            unsecured = {k: v for k, v in credential.items() if k != "proof"}
            options = proofs._proof_options(unsecured, proof["verificationMethod"], proof["created"])
            canonical = proofs.canonical_document(unsecured, fast=False)
            values.append("z" + base58_encode(key.sign(proofs._hash_canonical(canonical, options))))
    cpu = time.process_time() - cpu_start
    return Run("sitegen (fast path)" if fast else "plain pyld", time.perf_counter() - start, cpu, values)


def js_signer_ready() -> str | None:
    """Why the JavaScript signer cannot run here, or None when it can."""
    if not shutil.which("node"):
        return "node is not installed"
    if not (JS_SIGNER / "node_modules/@digitalbazaar/vc/package.json").is_file():
        return "its modules are not installed (npm ci --prefix benchmarks/js-signer)"
    return None


def sign_js(credentials: list[dict], key, work: Path) -> Run:
    """Digital Bazaar's signer in node, with sitegen's bundled contexts as its only documents."""
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")  # noqa: E731
    job = {
        "contexts": {url: str(jsonld.CONTEXTS_DIR / file) for url, file in jsonld.CONTEXT_FILES.items()},
        "jwk": {"kty": "OKP", "crv": "Ed25519", "x": b64(public), "d": b64(raw)},
        "verificationMethod": credentials[0]["proof"][0]["verificationMethod"],
        "items": [
            {"credential": {k: v for k, v in c.items() if k != "proof"}, "created": c["proof"][0]["created"]}
            for c in credentials
        ],
    }
    (work / "job.json").write_text(json.dumps(job), encoding="utf-8")
    result = subprocess.run(
        ["node", str(JS_SIGNER / "sign.mjs"), str(work / "job.json")], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"the JavaScript signer failed:\n{result.stderr}")
    out = json.loads(result.stdout)
    return Run("Digital Bazaar (JavaScript)", out["seconds"], out["cpuSeconds"], out["proofs"])


def side_by_side(awards: int) -> tuple[list[Run], list[str], str | None]:
    """(runs, the published proofValues, why the JavaScript signer did not run or None)."""
    base = Path(tempfile.mkdtemp(prefix="sitegen-signbench-"))
    try:
        credentials, key_file = built_credentials(base, awards)
        key = load_private_key(key_file.read_bytes())
        published = [c["proof"][0]["proofValue"] for c in credentials]
        runs = [sign_python(credentials, key, fast=True), sign_python(credentials, key, fast=False)]
        missing = js_signer_ready()
        if missing is None:
            runs.append(sign_js(credentials, key, base))
        return runs, published, missing
    finally:
        shutil.rmtree(base, ignore_errors=True)


def report(runs: list[Run], published: list[str], missing: str | None) -> tuple[list[str], bool]:
    """Markdown lines (a table and the cross-check) and whether every signer gave the published proofs."""
    count = len(published)
    sitegen = runs[0]
    lines = [
        f"| signer ({count:,} credentials, one process) | credentials/s | per CPU second | CPU time vs sitegen "
        "| proofValue as published |",
        "|---|---|---|---|---|",
    ]
    agree = True
    for run in runs:
        same = sum(a == b for a, b in zip(run.proof_values, published, strict=True))
        agree &= same == count
        lines.append(
            f"| {run.signer} | {count / run.seconds:,.0f} | {count / run.cpu_seconds:,.0f} "
            f"| {run.cpu_seconds / sitegen.cpu_seconds:.1f}× | {same:,} of {count:,} |"
        )
    if missing:
        lines.append(f"\nThe JavaScript signer did not run: {missing}.")
    return lines, agree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("credentials", type=int, nargs="?", default=1000)
    args = parser.parse_args()
    runs, published, missing = side_by_side(args.credentials)
    lines, agree = report(runs, published, missing)
    print("\n".join(lines))
    if not agree:
        print("DIFFERENT PROOFS: the signers disagree (see the last column)")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
