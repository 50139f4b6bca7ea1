"""The `sitegen` command: the only place that prints or exits."""

from __future__ import annotations

import argparse
import csv
import errno
import json
import os
import signal
import sys
import traceback
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from sitegen import __version__
from sitegen.build.pipeline import BuildResult, build_site
from sitegen.commands import authoring
from sitegen.commands.check import failure_markdown, plan_markdown, run_check
from sitegen.commands.new import create
from sitegen.commands.serve import serve
from sitegen.content.site import load_site
from sitegen.diagnostics import BuildError, Diagnostic, SitegenError
from sitegen.logsafe import guarded_output
from sitegen.openbadges.keys import generate, generate_rsa
from sitegen.recipients import EMAIL
from sitegen.verify import fetch as verify_fetch
from sitegen.verify import inputs as verify_inputs


def _print_diagnostics(diagnostics: Iterable[Diagnostic], stream=None) -> None:
    stream = stream or sys.stderr
    for diagnostic in diagnostics:
        print(diagnostic, file=stream)


def _print_json(report: dict) -> None:
    """One JSON object on stdout. `##[` inside a string would be broken by the log guard (and read by a CI
    runner): the JSON escape of `[` keeps the value exact for a program and inert in a log."""
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text.replace("##[", "##\\u005b"))


def _failure_json(message: str, diagnostics: Iterable[Diagnostic] = ()) -> dict:
    """What `--json` prints when a command fails (exit 1)."""
    return {"ok": False, "error": message, "diagnostics": [d.to_dict() for d in diagnostics]}


def _build_json(result: BuildResult, size_limit: int) -> dict:
    site = result.site
    return {
        "ok": True,
        "issuers": len(site.issuers),
        "badges": len(site.badges),
        "awards": len(site.awards),
        "files": result.files,
        "bytes": result.bytes,
        "size_limit": size_limit,
        "output": str(result.output),
        "reused": result.reused,
        "signed": result.signed,
        "diagnostics": [d.to_dict() for d in [*result.warnings, *result.notes]],
    }


def cmd_build(args) -> int:
    root = Path(args.root)
    output = Path(args.output) if args.output else None
    try:
        result = build_site(
            root, output, jobs=args.jobs, size_limit=args.size_limit, require_signing=args.require_signing
        )
    except BuildError as exc:
        errors = sum(1 for d in exc.diagnostics if d.severity == "error")
        failed = f"build failed: {errors} error(s); output/ was left as it was"
        if args.json:
            _print_json(_failure_json(failed, exc.diagnostics))
            return 1
        _print_diagnostics(exc.diagnostics)
        print(failed, file=sys.stderr)
        return 1
    if args.json:
        _print_json(_build_json(result, args.size_limit))
        return 0
    _print_diagnostics(result.warnings)
    for note in result.notes:  # notes have always been printed without their file
        print(f"note: {note.message}", file=sys.stderr)
    site = result.site
    print(
        f"built {len(site.issuers)} issuer(s), {len(site.badges)} badge(s), {len(site.awards)} award(s): "
        f"{result.files} files, {result.bytes / 1e6:.1f} MB ({result.bytes / args.size_limit:.1%} of the "
        f"GitHub Pages limit) in {result.output}"
    )
    if result.reused or result.signed:
        print(f"reused {result.reused} unchanged award(s); signed {result.signed} new credential(s) or status list(s)")
    return 0


def cmd_serve(args) -> int:
    def stop(signum, frame):
        raise KeyboardInterrupt  # `kill` or a closed terminal stops the preview as Ctrl-C does, cleaning up

    for name in ("SIGTERM", "SIGHUP"):  # SIGHUP: not on Windows
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    serve(Path(args.root), port=args.port, log=lambda message: print(message, flush=True))
    return 0


def cmd_new(args) -> int:
    target = Path(args.directory)
    create(target, microcredential=args.microcredential)
    print(f"created a new badge site in {target}/\nnext: cd {target} && sitegen build")
    return 0


def cmd_verify(args) -> int:
    target = args.target
    path = Path(target)
    if target.startswith(("http://", "https://")):
        results = [verify_inputs.verify_url(target, verify_fetch.Fetcher(), args.email)]
        site_mode = False
    elif path.is_dir():
        if args.email:
            print(
                "error: --email checks that one badge was issued to that address; give the badge's file, image "
                "or URL rather than a whole site",
                file=sys.stderr,
            )
            return 2
        results = verify_inputs.verify_site(path, args.base_url)
        site_mode = True
    elif path.is_file():
        base_url = args.base_url or (verify_inputs.site_base_url(args.site) if args.site else None)
        fetcher = verify_fetch.Fetcher(args.site, base_url) if args.site else verify_fetch.Fetcher()
        results = [verify_inputs.verify_file(path, fetcher, args.email)]
        site_mode = False
    else:
        print(f"error: {target} is not a URL, a file or a folder", file=sys.stderr)
        return 2
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    if args.json:
        _print_json({"results": [r.to_dict() for r in results], "counts": counts})
    else:
        for result in results:
            if site_mode and result.status == "valid" and not args.verbose:
                continue
            detail = {"revoked": f" (revoked: {result.revoked})", "expired": f" (expired {result.expired})"}.get(
                result.status, ""
            )
            if result.status == "unverifiable":  # a network failure: nothing was found wrong, try again
                print(
                    f"COULD NOT BE VERIFIED right now: {result.kind} {result.subject}: the issuer's site "
                    "could not be reached, try again later"
                )
            else:
                print(f"{result.status.upper():8} {result.kind:15} {result.subject}{detail}")
            for finding in result.findings:
                print(f"         {finding.severity}: [{finding.check}] {finding.message}")
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        print(f"checked {len(results)}: {summary or 'nothing'}")
    if counts.get("unverifiable") and not counts.get("invalid"):
        return EXIT_UNVERIFIABLE  # a script may retry later
    if site_mode:
        # A site may rightly hold revoked and expired awards: only invalid ones fail it.
        return 0 if results and not counts.get("invalid") else 1
    return 0 if all(r.status == "valid" for r in results) else 1


EXIT_UNVERIFIABLE = 4  # verify: a document could not be fetched (network); nothing was found wrong


def _day(text: str):
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-04-01: {text}") from None


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"not a port number (1–65535): {text}")
    return int(text)


def cmd_issue(args) -> int:
    root = Path(args.root)
    if args.csv:
        ignored = [
            flag
            for flag, value in (
                ("--name", args.name),
                ("--show-name", args.show_name),
                ("--evidence", args.evidence),
                ("--narrative", args.narrative),
            )
            if value
        ]
        if ignored:
            print(
                f"error: {', '.join(ignored)} describe one recipient; with --csv put them in the CSV's columns "
                "(name, show_name, evidence_url, narrative)",
                file=sys.stderr,
            )
            return 2
        recipients = authoring.read_csv(Path(args.csv))
    else:
        args.email = (args.email or "").strip()
        if not EMAIL.match(args.email):
            print(f"error: '{args.email}' is not an email address", file=sys.stderr)
            return 1
        recipients = [
            authoring.Recipient(
                email=args.email,
                name=args.name,
                show_name=args.show_name,
                evidence_url=args.evidence,
                narrative=args.narrative,
                expires=None,
            )
        ]
    target, issued = authoring.issue(
        root,
        args.badge,
        recipients,
        issued_on=args.issued_on or date.today(),
        target=Path(args.file) if args.file else None,
        expires=args.expires,
        again=args.again,
    )
    shown = target.relative_to(root.absolute()) if target.is_relative_to(root.absolute()) else target
    print(f"awarded '{args.badge}' to {len(issued)} recipient(s) in {shown}", file=sys.stderr)
    dropped = authoring.dropped_names_message(issued)
    if dropped:
        print(dropped, file=sys.stderr)
    if len(issued) == 1 and not args.print_urls:  # the id is what `sitegen revoke` takes
        print(f"award id: {issued[0].award_id}\npage: {issued[0].page_url}", file=sys.stderr)
    elif not args.print_urls:
        print("--print-urls lists every award's id and page (for a mail merge)", file=sys.stderr)
    if args.print_urls:
        # For a mail merge: printed only, never written anywhere.
        writer = csv.writer(sys.stdout)
        writer.writerow(["email", "name", "award_id", "award_url"])
        for item in issued:
            writer.writerow([item.email, item.name or "", item.award_id, item.page_url])
    return 0


def cmd_revoke(args) -> int:
    path = authoring.revoke(Path(args.root), args.award_id, reason=args.reason, on=args.on or date.today())
    print(f"revoked {args.award_id} in {path}; commit the change and open a pull request", file=sys.stderr)
    return 0


def cmd_check(args) -> int:
    root = Path(args.root)
    summary = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    try:
        plan = run_check(root, args.base)
    except BuildError as exc:
        if summary:  # reviewers read the job summary: the reason must be there too
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(failure_markdown(exc.diagnostics))
        raise
    site, _ = load_site(root)
    markdown = plan_markdown(plan, site.config.base_url)
    if args.json:
        _print_json({**plan.to_dict(), "diagnostics": [d.to_dict() for d in plan.diagnostics]})
    else:
        print(markdown)
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown)
    return 0 if plan.ok else 1


def cmd_keys_generate(args) -> int:
    if args.private_key_file:
        target = Path(args.private_key_file).expanduser().absolute()
        if target.resolve().is_relative_to(Path(args.root).resolve()):
            print(
                f"error: {target} is inside the repository; a private key must never be stored there", file=sys.stderr
            )
            return 1
        if target.exists():
            print(f"error: {target} exists; not overwriting a key", file=sys.stderr)
            return 1
    pem, public = generate_rsa() if args.ob2 else generate()

    def keep_private() -> str:
        if not args.private_key_file:
            return f"the private key (keep it secret, never in the repository):\n\n{pem}"
        target.touch(mode=0o600)
        target.write_text(pem, encoding="ascii")
        return f"the private key, written to {target} (readable only by you)."

    if args.ob2:
        indented = "\n".join("      " + line for line in public.strip().splitlines())
        print(f"""1. Add to content/site.yaml (Open Badges 2.0 signed assertions, JWS RS256):

ob2_signing:
  key_id: {args.id or f"rsa-{date.today():%Y}"}
  public_key: |
{indented}

2. Store {keep_private()}
   as the secret SITEGEN_OB2_SIGNING_KEY of the environment `badge-signing`:
   gh secret set SITEGEN_OB2_SIGNING_KEY --env badge-signing < key.pem""")
        return 0
    key_id = args.id or f"key-{date.today():%Y}"
    where = keep_private()
    where = where[0].upper() + where[1:]
    print(f"""1. Add the public key to content/site.yaml (and commit it):

keys:
  - id: {key_id}
    public_key: {public}

   When you replace a key later, keep the old entry with `retired: true` so that credentials signed
   with it keep verifying.

2. {where}
3. Store the private key as the secret SITEGEN_SIGNING_KEY of the environment `badge-signing`:
   GitHub › Settings › Environments › badge-signing › Add environment secret (paste the whole PEM,
   BEGIN and END lines included), or:  gh secret set SITEGEN_SIGNING_KEY --env badge-signing < key.pem
   For a local signed build: SITEGEN_SIGNING_KEY_FILE=/path/outside/the/repo/key.pem sitegen build""")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitegen", description="Publish Open Badges from a Git repository of YAML files."
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback when something unexpected fails")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser("build", help="build the site into output/")
    build.add_argument("--root", default=".", help="the content repository (default: the current folder)")
    build.add_argument("--output", help="where to write the site (default: ROOT/output)")
    build.add_argument(
        "--jobs", type=int, help="worker processes for the per-award files (default: one per CPU core on large sites)"
    )
    build.add_argument(
        "--require-signing",
        action="store_true",
        help="fail unless Open Badges 3.0 credentials are signed (for the deploy workflow)",
    )
    build.add_argument(
        "--json", action="store_true", help="print what was built and every warning and note as one JSON object"
    )
    build.add_argument("--size-limit", type=int, default=1_000_000_000, help=argparse.SUPPRESS)  # for tests
    build.set_defaults(func=cmd_build)

    serve = commands.add_parser("serve", help="preview the site on 127.0.0.1, rebuilding on every change")
    serve.add_argument("--root", default=".", help="the content repository (default: the current folder)")
    serve.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (default 8000)")
    serve.set_defaults(func=cmd_serve)

    verify = commands.add_parser(
        "verify",
        help="verify a badge URL, JSON file, baked PNG/SVG, or a whole output folder",
        epilog="exit codes: 0 valid; 1 not valid, revoked or expired (a folder: any badge not valid); 2 bad "
        f"command line; 3 internal error; {EXIT_UNVERIFIABLE} could not be verified right now (the issuer's site "
        "could not be reached): try again later",
    )
    verify.add_argument("target", help="an http(s) URL, a .json/.png/.svg file, or a built site folder")
    verify.add_argument("--email", help="also check that the badge was awarded to this email address")
    verify.add_argument("--base-url", help="the base URL a site folder was built for (default: read from the site)")
    verify.add_argument(
        "--site", type=Path, help="with a file: resolve the site's URLs from this built folder, not the network"
    )
    verify.add_argument("--json", action="store_true", help="print the full report as JSON")
    verify.add_argument("-v", "--verbose", action="store_true", help="with a folder: list valid badges too")
    verify.set_defaults(func=cmd_verify)

    issue = commands.add_parser("issue", help="award a badge to one email address or to every row of a CSV")
    issue.add_argument("badge", help="the badge's slug (file stem in content/badgeclasses/)")
    who = issue.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="the recipient's email (hashed; never stored)")
    who.add_argument(
        "--csv",
        help="a CSV with a header row: email, name, show_name, evidence_url, evidence_name, narrative, issued_on, "
        "expires",
    )
    issue.add_argument("--name", help="the recipient's name (written only with --show-name)")
    issue.add_argument("--show-name", action="store_true", help="the recipient agreed to be named on the award page")
    issue.add_argument("--evidence", help="an evidence URL")
    issue.add_argument("--narrative", help="what the recipient did (Markdown)")
    issue.add_argument("--issued-on", type=_day, help="the issue date (default: today)")
    issue.add_argument("--expires", type=_day, help="the expiry date (default: from the badge's valid_for)")
    issue.add_argument("--file", help="append to this award file instead of creating a new one")
    issue.add_argument(
        "--again",
        action="store_true",
        help="award the badge also to recipients who already hold it (refused otherwise)",
    )
    issue.add_argument(
        "--print-urls", action="store_true", help="print email, name and award page URL as CSV for a mail merge"
    )
    issue.add_argument("--root", default=".", help="the content repository (default: the current folder)")
    issue.set_defaults(func=cmd_issue)

    revoke = commands.add_parser("revoke", help="revoke an award (its YAML is edited, never deleted)")
    revoke.add_argument("award_id", metavar="AWARD-ID")
    revoke.add_argument("--reason", required=True, help="why; published with the award")
    revoke.add_argument("--on", type=_day, help="the revocation date (default: today)")
    revoke.add_argument("--root", default=".", help="the content repository (default: the current folder)")
    revoke.set_defaults(func=cmd_revoke)

    check = commands.add_parser(
        "check", help="the pull-request gate: validate, build, verify and compare with a base revision"
    )
    check.add_argument("--base", help="the git revision to compare with, e.g. origin/main")
    check.add_argument(
        "--summary", help="append the Markdown plan to this file (default: $GITHUB_STEP_SUMMARY when set)"
    )
    check.add_argument("--root", default=".", help="the content repository (default: the current folder)")
    check.add_argument(
        "--json", action="store_true", help="print the plan and its problems and notes as one JSON object"
    )
    check.set_defaults(func=cmd_check)

    keys = commands.add_parser("keys", help="manage the Open Badges 3.0 signing keys")
    key_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    generate = key_commands.add_parser("generate", help="create an Ed25519 key pair; prints what to put where")
    generate.add_argument("--id", help="the key id (default: key-YEAR, or rsa-YEAR with --ob2)")
    generate.add_argument(
        "--ob2", action="store_true", help="an RSA key for the optional Open Badges 2.0 signed assertions instead"
    )
    generate.add_argument(
        "--private-key-file", help="write the private key to this file (outside the repository) instead of printing it"
    )
    generate.add_argument("--root", default=".", help="the content repository (default: the current folder)")
    generate.set_defaults(func=cmd_keys_generate)

    new = commands.add_parser("new", help="create a new content repository that builds as is")
    new.add_argument("directory", help="the folder to create (must not exist or be empty)")
    new.add_argument(
        "--microcredential",
        action="store_true",
        help="also a micro-credential badge giving every descriptor, with microcredential_profile: eu",
    )
    new.set_defaults(func=cmd_new)
    return parser


# What to do about a failure of the machine rather than of sitegen or the content (by errno).
SYSTEM_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space and run it again",
    errno.EDQUOT: "the disk quota is used up: free some space and run it again",
    errno.EFBIG: "a file is over the size this system allows",
    errno.EROFS: "the folder is on a read-only file system: choose another folder (--output)",
    errno.EACCES: "no permission to write there: choose a folder of your own (--output)",
    errno.EPERM: "no permission to write there: choose a folder of your own (--output)",
    errno.EMFILE: "too many files are open: run it again with fewer jobs (--jobs 1)",
}


def _system_problem(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    what = exc.strerror or str(exc)
    advice = SYSTEM_ADVICE.get(exc.errno, "") if exc.errno is not None else ""
    return f"{what}{where}" + (f"; {advice}" if advice else "")


def main(argv: list[str] | None = None) -> int:
    with guarded_output():  # content printed in a message must not read as a command to the CI runner
        return _main(argv)


def _wants_json(args: argparse.Namespace) -> bool:
    """Failures of `build --json` and `check --json` are JSON too (verify keeps its own report shape)."""
    return bool(getattr(args, "json", False)) and args.command in ("build", "check")


def _main(argv: list[str] | None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`sitegen check | head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except BuildError as exc:
        if _wants_json(args):
            _print_json(_failure_json(str(exc), exc.diagnostics))
            return 1
        _print_diagnostics(exc.diagnostics)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SitegenError as exc:
        if args.debug:
            traceback.print_exc()
        problems = getattr(exc, "problems", [])
        if _wants_json(args):
            _print_json(_failure_json(str(exc), problems))
            return 1
        _print_diagnostics(problems)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the machine, not sitegen: a full disk, a read-only or foreign folder
        if args.debug:
            traceback.print_exc()
        if _wants_json(args):
            _print_json(_failure_json(_system_problem(exc)))
            return 1
        print(f"error: {_system_problem(exc)}", file=sys.stderr)
        return 1
    except MemoryError:
        print(
            "error: out of memory; a build keeps the site's model in memory: close other programs or build "
            "on a machine with more memory",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # a bug in sitegen, not a problem in the content
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"internal error: {type(exc).__name__}: {exc}\n(run with --debug for the traceback, "
                "and please report it)",
                file=sys.stderr,
            )
        return 3
