"""Run the pipeline: load → validate/model → emit → sign → bake → render → write."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import json
import multiprocessing
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from cryptography.hazmat.primitives.asymmetric import rsa

from sitegen.build import cache
from sitegen.build import signing as ob3_signing
from sitegen.build.render import Renderer, award_state, build_day, key_file_problem, theme_dirs
from sitegen.build.write import (
    PAGES_SIZE_LIMIT,
    SITE_MARKER,
    FileHelper,
    OutputWriter,
    SiteTooLarge,
    SizeBudget,
    StagingFolder,
    check_output_folder,
    limit_words,
)
from sitegen.content.site import load_site
from sitegen.diagnostics import BuildError, Diagnostic, Location
from sitegen.messages import _
from sitegen.model import LANGUAGES, Award, Site
from sitegen.openbadges import baking, ob2, ob3
from sitegen.openbadges.jws import public_pem, sign_jws
from sitegen.openbadges.keys import load_ob2_signing_key, load_signing_key, public_multikey
from sitegen.progress import AWARD_FILES, AWARD_FILES_SIGNED, NO_PROGRESS, Progress, listening

# Below this many awards a second process costs more than it saves (signing makes each award dearer).
PARALLEL_THRESHOLD = 2000
PARALLEL_THRESHOLD_SIGNING = 100
PROGRESS_CHUNK = 10  # the fewest awards in a chunk when progress is reported


def size_advice(baked_files: bool) -> str:
    """What to do about a site near or over GitHub Pages' limit (`baked_files`: the site publishes baked images)."""
    if baked_files:
        return _(
            "to make room, set `baking: browser` in content/site.yaml: award pages then bake the badge image "
            "in the reader's browser when it is downloaded, instead of publishing one or two baked images per "
            "award (about the size of the badge image each)"
        )
    return _(
        "the pages already bake images in the browser: publish the site from a host "
        "without GitHub Pages' limit, or give some issuers a repository of their own"
    )


@dataclass
class BuildResult:
    site: Site
    output: Path
    files: int
    bytes: int
    warnings: list[Diagnostic] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)  # severity "note": what was skipped and why
    signed: int = 0  # credentials signed in this build (the others came from the cache)
    reused: int = 0  # awards whose files were reused from the previous output, unchanged
    size_limit: int = PAGES_SIZE_LIMIT  # the limit the build was held to


def _thawed_when_done(build):
    """The build freezes what lives as long as it does (_long_lived); whatever it froze is thawed when it ends, so
    that a process that goes on after it (a test, `sitegen serve`) collects it as usual."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        thaw = gc.get_freeze_count() == 0
        try:
            return build(*args, **kwargs)
        finally:
            if thaw:
                gc.unfreeze()

    return wrapper


@contextlib.contextmanager
def _long_lived():
    """What is made inside lives until the build ends (the model, the caches): the garbage collector is kept off while
    it is made, then never walks it again (gc.freeze). Each full collection walked every object of the site: ten of
    them cost 2.3 s of a 100,000-award rebuild, and the last one 0.9 s more when the process ended."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@_thawed_when_done
def build_site(
    root: Path,
    output: Path | None = None,
    *,
    jobs: int | None = None,
    size_limit: int | None = None,
    require_signing: bool = False,
    environ=os.environ,
    base_url: str | None = None,
    progress: Progress = NO_PROGRESS,
    check_signing: bool = False,
) -> BuildResult:
    """Build the site of the content repository at `root` into `output` (default: root/output).

    `jobs` worker processes write the per-award files (default: one per CPU core for large sites).
    `size_limit` (default: site.yaml's) stops a build that would write more bytes.
    Open Badges 3.0 credentials are signed when site.yaml lists a key and the private key is given
    (SITEGEN_SIGNING_KEY); `require_signing` makes their absence an error instead of a note.
    `progress` hears how many awards are written (the bulk of a build). `check_signing` canonicalises every
    credential both ways (the fast path and pyld), refuses any difference, and signs afresh (no cached proof).
    """
    root = root.absolute()
    output = output if output is not None else root / "output"
    check_output_folder(root, output)
    with _long_lived():
        remembered = cache.AwardFileCache(root)  # the award files unchanged since the last build: not parsed again
        site, warnings = load_site(root, base_url, remembered)
    # Saved now (what it holds is true of the files whatever the build does next), before any worker is forked:
    # what pickling it takes in memory is given back before the workers would each count it again.
    remembered.save()
    del remembered
    problems: list[Diagnostic] = []  # both kinds of key are checked, so one run names every missing one
    signing, jws_key = None, None
    notes: list[Diagnostic] = []
    try:
        with _long_lived():  # the proof cache
            signing, notes = prepare_signing(root, site, required=require_signing, environ=environ, check=check_signing)
    except BuildError as exc:
        problems += exc.diagnostics
    try:
        jws_key = prepare_ob2_signing(root, site, notes=notes, environ=environ, require_signing=require_signing)
    except BuildError as exc:
        problems += exc.diagnostics
    if problems:
        raise BuildError(problems)
    cache_note = cache.cache_note(root)  # a linked .sitegen-cache is ignored, never followed
    if cache_note:
        notes.append(Diagnostic(Location(cache.CACHE_DIR.as_posix()), cache_note, "note", "build.cache-ignored"))
    advice = size_advice(site.config.baked_files)
    if size_limit is None:
        size_limit = site.config.size_limit
    with OutputWriter(output, size_limit) as writer:
        try:
            publish(root, site, writer, signing=signing, today=build_day(site.config.tz, environ))
            with _long_lived():
                previous_records = cache.load(root, output.absolute())
            job = AwardJob(
                root,
                site,
                writer.staging,
                signing,
                jws_key,
                previous=output if output.is_dir() else None,
                previous_records=previous_records,
                site_fingerprint=cache.site_fingerprint(root, site, signing, jws_key),
                positions=signing.positions if signing is not None else {},
                budget=writer.budget,
                today=build_day(site.config.tz, environ),
                helper=writer.helper,
            )
            award_count, award_bytes, used, records, reused = publish_awards(job, jobs, progress)
        except jinja2.TemplateError as exc:
            raise BuildError([_template_problem(root, exc)]) from None
        except SiteTooLarge as exc:
            too_large = _("{problem}; {advice}").format(problem=exc, advice=advice)
            raise BuildError([Diagnostic(Location("output"), too_large, "error", "build.too-large")]) from None
        count, size = writer.files.count + award_count, writer.files.total_bytes + award_bytes
        share = size / size_limit
        if share >= 0.8:
            warnings.append(
                Diagnostic(
                    Location("output", 0),
                    _("the site is {size} MB in {count} files, {share} of {limit}; {advice}").format(
                        size=f"{size / 1e6:,.0f}",
                        count=f"{count:,}",
                        share=f"{share:.0%}",
                        limit=limit_words(size_limit),
                        advice=advice,
                    ),
                    "warning",
                    "build.near-size-limit",
                )
            )
        writer.commit()
        # Saved while the helper removes the previous output; leaving this block waits for it.
        cache.save(root, output.absolute(), records)
        signed = 0
        if signing is not None:
            used.update(signing.status_proofs)
            signed = sum(1 for key in used if key not in signing.cache)
            signing.save_cache(root, used)
    return BuildResult(site, output, count, size, warnings, notes, signed, reused, size_limit)


PROOF_BYTES = 305  # a DataIntegrityProof entry as published, compact JSON (measured: 304 bytes)
STATUS_LIST_BYTES = 1_000  # one signed status list credential of 131,072 entries, mostly zeros, gzipped


def signed_size_estimate(root: Path, site: Site, *, ob3_credentials: bool = True, jws: bool = False) -> int:
    """What signing adds to the site: the Open Badges 3.0 credentials, their baked images, the status lists and
    the award pages' links to them; with `jws`, the OB 2.0 signed assertions. For a build without the private
    keys, such as a pull request's check."""
    if not site.awards:
        return 0
    total, lists = 0, set()
    if ob3_credentials:
        # The pages' growth is the same for every award that is not revoked (a revoked award's page offers no
        # wallet), and for every revoked one: measure it on one of each.
        plain, linked = Renderer(root, site), Renderer(root, site)
        linked.credentials_published = True
        languages = len(LANGUAGES) if site.config.award_pages == "every_language" else 1
        growth: dict[bool, int] = {}
        for award in site.awards:
            revoked = award.revoked is not None
            if revoked not in growth:
                try:  # a theme may fail only on the pages that link to credentials
                    growth[revoked] = len(linked.award(award)) - len(plain.award(award))
                except jinja2.TemplateError as exc:
                    raise BuildError([_template_problem(root, exc)]) from None
            total += growth[revoked] * languages
    for award in site.awards:
        if jws:  # header and payload in base64url, and a 2048-bit RSA signature (342 characters)
            payload = json.dumps(ob2.signed_assertion(site, award), ensure_ascii=False, separators=(",", ":"))
            total += 40 + len(payload.encode("utf-8")) * 4 // 3 + 345
        if not ob3_credentials:
            continue
        position = site.status_position(award)
        lists.add((site.badges[award.badge].issuer, position.list_number))
        size = len(ob2.to_json(ob3.credential(site, award, position))) + PROOF_BYTES
        if site.config.baked_files:
            size += size + len(site.badges[award.badge].image.data) + 64  # the baked copy: image + chunk
        total += size
    return total + STATUS_LIST_BYTES * len(lists)


SITE_YAML = Location("content/site.yaml")


def prepare_signing(
    root: Path, site: Site, *, required: bool, environ: Mapping[str, str], check: bool = False
) -> tuple[ob3_signing.SigningContext | None, list[Diagnostic]]:
    """The signing context, or None with a note saying why Open Badges 3.0 credentials cannot be signed."""
    active = site.config.active_key
    if active is None:
        reason = _("content/site.yaml lists no signing key under 'keys:' (run `sitegen keys generate`)")
    else:
        private_key = load_signing_key(root, environ)
        if private_key is None:
            reason = _("no private key was given (set SITEGEN_SIGNING_KEY or SITEGEN_SIGNING_KEY_FILE)")
        else:
            if public_multikey(private_key.public_key()) != active.multibase:
                raise BuildError(
                    [
                        Diagnostic(
                            SITE_YAML,
                            _(
                                "the private signing key does not belong to key '{key}' in site.yaml: its "
                                "public key is {public_key}, site.yaml says {listed}"
                            ).format(
                                key=active.id,
                                public_key=public_multikey(private_key.public_key()),
                                listed=active.multibase,
                            ),
                            "error",
                            "build.key-mismatch",
                        )
                    ]
                )
            context = ob3_signing.SigningContext(
                private_key,
                active.id,
                active.multibase,
                ob3.verification_method_id(site, active.id),
                ob3.assign_status_positions(site),
                None if check else root,
                check=check,
            )
            return context, []
    if required:
        raise BuildError(
            [
                Diagnostic(
                    SITE_YAML,
                    _("signing is required but {reason}").format(reason=reason),
                    "error",
                    "build.signing-required",
                )
            ]
        )
    skipped = _("Open Badges 3.0 credentials were skipped: {reason}. The Open Badges 2.0 site was built.").format(
        reason=reason
    )
    return None, [Diagnostic(SITE_YAML, skipped, "note", "build.ob3-skipped")]


def _template_problem(root: Path, exc: jinja2.TemplateError) -> Diagnostic:
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None) or "themes"
    try:
        filename = Path(filename).relative_to(root).as_posix()
    except ValueError:
        pass
    return Diagnostic(
        Location(str(filename), getattr(exc, "lineno", 0) or 0),
        _("template error: {problem}").format(problem=exc.message or exc),
        "error",
        "build.template-error",
    )


def prepare_ob2_signing(
    root: Path, site: Site, *, notes: list[Diagnostic], environ: Mapping[str, str], require_signing: bool = False
) -> rsa.RSAPrivateKey | None:
    """The RSA key of OB 2.0 signed assertions, when site.yaml asks for them and the key is given."""
    if site.config.ob2_key is None:
        return None
    key = load_ob2_signing_key(root, environ)
    if key is None:
        missing = _(
            "no private key was given for the Open Badges 2.0 signed assertions that site.yaml asks for "
            "(ob2_signing): set SITEGEN_OB2_SIGNING_KEY or SITEGEN_OB2_SIGNING_KEY_FILE"
        )
        if require_signing:
            raise BuildError([Diagnostic(SITE_YAML, missing, "error", "build.signing-required")])
        skipped = _("Open Badges 2.0 signed assertions were skipped: {reason}").format(reason=missing)
        notes.append(Diagnostic(SITE_YAML, skipped, "note", "build.ob2-skipped"))
        return None
    if public_pem(key).strip() != site.config.ob2_key.public_pem.strip():
        raise BuildError(
            [
                Diagnostic(
                    SITE_YAML,
                    _("the OB 2.0 private key does not match ob2_signing.public_key in site.yaml"),
                    "error",
                    "build.key-mismatch",
                )
            ]
        )
    return key


def publish(
    root: Path,
    site: Site,
    writer: OutputWriter,
    *,
    signing: ob3_signing.SigningContext | None = None,
    today: dt.date | None = None,
) -> None:
    urls = site.urls
    renderers = [Renderer(root, site, lang) for lang in LANGUAGES]
    for renderer in renderers:
        renderer.credentials_published = signing is not None
        renderer.today = today or renderer.today
    writer.add(SITE_MARKER, b"", "sitegen")  # GitHub Pages: serve the files as they are, no Jekyll
    _copy_assets(root, site, writer)
    renderers[0].env.get_template("award.html")  # a syntax error is reported here, not inside a worker
    for renderer in renderers:
        writer.add(*renderer.index(), "index")
        for path, data in renderer.extra_pages():
            writer.add(path, data, "theme")
        writer.add(f"assets/i18n/{renderer.lang}.json", renderer.language_pack(), "sitegen/locale")

    for issuer in site.issuers.values():
        writer.add(urls.issuer_json(issuer.slug), ob2.to_json(ob2.issuer_profile(site, issuer)), issuer.source)
        for lang in site.config.other_languages:
            translation = ob2.to_json(ob2.issuer_profile(site, issuer, lang))
            writer.add(urls.in_language(lang, urls.issuer_json(issuer.slug)), translation, issuer.source)
        for renderer in renderers:
            writer.add(*renderer.issuer(issuer), issuer.source)
        if issuer.image:
            writer.add(urls.issuer_image(issuer.slug, issuer.image.kind), issuer.image.data, issuer.source)
        writer.add(urls.revocation_list(issuer.slug), ob2.to_json(ob2.revocation_list(site, issuer)), issuer.source)

    for badge in site.badges.values():
        writer.add(urls.badge_json(badge.slug), ob2.to_json(ob2.badge_class(site, badge)), badge.source)
        for lang in site.config.other_languages:
            translation = ob2.to_json(ob2.badge_class(site, badge, lang))
            writer.add(urls.in_language(lang, urls.badge_json(badge.slug)), translation, badge.source)
        for renderer in renderers:
            writer.add(*renderer.badge(badge), badge.source)
        writer.add(urls.badge_image(badge.slug, badge.image.kind), badge.image.data, badge.source)
        if badge.image.preview:
            writer.add(urls.badge_preview(badge.slug), badge.image.preview, badge.source)

    if any(badge.microcredential for badge in site.badges.values()) or any(a.grade for a in site.awards):
        writer.add(urls.microcredential_ob2_context(), ob2.to_json(ob2.microcredential_context(site)), "sitegen")
        writer.add(urls.microcredential_ob2_schema(), ob2.to_json(ob2.MICROCREDENTIAL_SCHEMA), "sitegen")

    if site.config.keys:  # public keys stay published, also when this build cannot sign
        for path, data in ob3_signing.key_files(site):
            writer.add(path, data, "content/site.yaml")
    if site.config.ob2_key:
        writer.add(ob2.ob2_key_path(site), ob2.to_json(ob2.cryptographic_key(site)), "content/site.yaml")
    if signing is not None:
        signing.status_proofs = {}
        for path, data in ob3_signing.status_list_files(site, signing, signing.status_proofs):
            writer.add(path, data, "status lists")
        for issuer in site.issuers.values():
            writer.add(
                urls.credential_revocations(issuer.slug),
                ob2.to_json(ob3.ob3_revocation_list(site, issuer.slug)),
                issuer.source,
            )


# Per-award files are the bulk of a large site. Award ids are unique (validated) and only awards write
# under assertions/, so these paths cannot collide and workers write them directly.
_shared: AwardJob | None = None  # the job, for forked workers


@dataclass
class AwardJob:
    """What writing the awards' files needs; forked workers share it without pickling."""

    root: Path
    site: Site
    staging: Path
    signing: ob3_signing.SigningContext | None
    jws_key: rsa.RSAPrivateKey | None
    previous: Path | None  # the output of the last build, whose unchanged files are reused
    previous_records: dict
    site_fingerprint: str
    positions: dict
    budget: SizeBudget | None = None  # the size limit, shared by every worker
    today: dt.date | None = None  # the day expiry is decided on (render.build_day)
    helper: FileHelper | None = None  # makes the links of reused files, while this process goes on
    renderers: list | None = None  # made by job_renderers, once (forked workers inherit them)
    todo: list[Award] = field(default_factory=list)  # the awards not reused, whose files are made
    chunks: list[tuple[int, int]] = field(default_factory=list)  # parts of todo, for the processes to take
    next_chunk: Any = None  # the index of the next chunk nobody has taken: a counter all processes share


def publish_awards(
    job: AwardJob, jobs: int | None, progress: Progress = NO_PROGRESS
) -> tuple[int, int, dict, dict, int]:
    """Write every award's files; returns (file count, bytes, proofs used, fingerprint records, awards reused)."""
    progress.start(AWARD_FILES_SIGNED if job.signing is not None else AWARD_FILES, len(job.site.awards))
    # Unchanged awards first, in this process: linking their files costs little, and a rebuild that adds a few
    # awards to a large site then forks no workers at all (each would hold a copy of the whole model).
    reused_files = StagingFolder(job.staging, job.budget, job.helper)
    used, records, job.todo = _reuse_awards(job, reused_files, progress)
    reused = len(records)
    job.previous_records = {}  # no longer needed: not carried into the workers
    count = len(job.todo)
    if jobs is None:
        threshold = PARALLEL_THRESHOLD if job.signing is None else PARALLEL_THRESHOLD_SIGNING
        jobs = (os.cpu_count() or 1) if count >= threshold else 1
    parallel = jobs > 1 and count >= 2 and "fork" in multiprocessing.get_all_start_methods()
    step = -(-count // (jobs * 4)) if parallel else count  # a few chunks per worker evens out the load
    if listening(progress):  # progress is heard chunk by chunk: about a hundred of them
        step = min(step, max(PROGRESS_CHUNK, -(-count // 100)))
    chunks = [(start, min(start + step, count)) for start in range(0, count, max(step, 1))] or [(0, 0)]
    results: list[tuple[int, int, dict, dict, int]] = [(reused_files.count, reused_files.total_bytes, used, records, 0)]
    if not parallel:
        for start, end in chunks:
            results.append(_write_awards(job, start, end))
            progress.advance(end - start)
    else:
        results += _write_in_parallel(job, jobs, chunks, progress)
    progress.finish()
    for result in results[1:]:
        used.update(result[2])
        records.update(result[3])
    return (sum(r[0] for r in results), sum(r[1] for r in results), used, records, reused)


def _write_in_parallel(
    job: AwardJob, jobs: int, chunks: list[tuple[int, int]], progress: Progress
) -> list[tuple[int, int, dict, dict, int]]:
    """The chunks written by this process and `jobs - 1` forked workers, each taking the next chunk nobody took:
    this process works too, instead of waiting with a copy of the model that no worker needs."""
    global _shared
    # Workers are forked: they share the model (and the key) without copying or pickling it. Frozen, the
    # parent's objects are left out of the workers' garbage collections, which would otherwise touch (and
    # so copy) every page that holds one.
    job.chunks, job.next_chunk = chunks, multiprocessing.get_context("fork").Value("i", 0)
    _shared = job
    gc.freeze()
    results = []
    try:
        with multiprocessing.get_context("fork").Pool(jobs - 1, initializer=_default_signals) as pool:
            # One task per chunk, each taking the next chunk left (or none, when this process took them).
            # The first chunk that fails stops the build (leaving the pool terminates the other workers): a
            # theme that loops fails each chunk only when its page's time budget runs out.
            answers = pool.imap_unordered(_award_chunk, range(len(chunks)))
            done = 0

            def collect(timeout: float | None) -> bool:
                """Take the workers' finished chunks (raising a worker's error); False when none came in time."""
                nonlocal done
                if done == len(chunks):
                    return False
                try:
                    size, result = answers.next(timeout)
                except multiprocessing.TimeoutError:
                    return False
                if result is not None:
                    results.append(result)
                    progress.advance(size)
                done += 1
                return True

            while (size_and_result := _award_chunk(0))[1] is not None:
                results.append(size_and_result[1])
                progress.advance(size_and_result[0])
                while collect(0):
                    pass
            while done < len(chunks):
                collect(None)
    finally:
        _shared = None  # what was frozen is thawed when the build ends (_thawed_when_done)
    return results


def _default_signals() -> None:
    # A worker is stopped with SIGTERM when the pool closes: it must not inherit a handler of the CLI's.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _award_chunk(_task: int) -> tuple[int, tuple[int, int, dict, dict, int] | None]:
    """Write the next chunk nobody has taken yet: (how many awards, what _write_awards returns), or (0, None)."""
    job = _shared
    assert job is not None and job.next_chunk is not None  # set before the pool forks its workers
    with job.next_chunk.get_lock():
        index = job.next_chunk.value
        job.next_chunk.value += 1
    if index >= len(job.chunks):
        return 0, None
    start, end = job.chunks[index]
    count, size, used, records, _ = _write_awards(job, start, end)
    return end - start, (count, size, ob3_signing.compact_entries(used), records, 0)


def _award_paths(job: AwardJob, award: Award) -> list[str]:
    urls, kind = job.site.urls, job.site.badges[award.badge].image.kind
    baked = job.site.config.baked_files
    paths = [urls.assertion_json(award.id)] + [renderer.award_page_path(award) for renderer in job_renderers(job)]
    paths += [urls.assertion_image(award.id, kind)] if baked else []
    if job.signing is not None:
        paths += [urls.credential_json(award.id)] + ([urls.credential_image(award.id, kind)] if baked else [])
    if job.jws_key is not None:
        paths.append(urls.signed_assertion(award.id))
    return paths


def _fingerprint(job: AwardJob, award: Award) -> str:
    state = award_state(award, job_renderers(job)[0].today)
    return cache.award_fingerprint(job.site_fingerprint, award, job.positions.get(award.id), state)


def _reuse_awards(job: AwardJob, files: StagingFolder, progress: Progress) -> tuple[dict, dict, list[Award]]:
    """Hard-link the files of every award unchanged since the previous build (same fingerprint, files as that
    build wrote them, its proof in the signing cache); returns (proofs used, records, the awards to build)."""
    signing = job.signing
    used: dict = {}
    records: dict = {}
    todo: list[Award] = []
    since_progress = 0
    for award in job.site.awards:
        previous = job.previous_records.pop(award.id, None)  # freed as the new records grow
        stamp = None
        if job.previous is not None and isinstance(previous, list) and len(previous) == 3:
            fingerprint, proof_key = _fingerprint(job, award), previous[1]
            if previous[0] == fingerprint and (signing is None or proof_key in signing.cache):
                stamp = files.link(job.previous, _award_paths(job, award), previous[2])
        if stamp is None:
            todo.append(award)
            continue
        if signing is not None and proof_key is not None:  # in the cache: checked above
            used[proof_key] = signing.cache[proof_key]
        records[award.id] = [fingerprint, proof_key, stamp]
        since_progress += 1
        if since_progress == 1000:
            progress.advance(since_progress)
            since_progress = 0
    copied = files.links_made()
    if copied:  # a file system without hard links: the copies are files of their own, with stamps of their own
        first_paths = {_award_paths(job, award)[0]: award.id for award in job.site.awards if award.id in records}
        for paths in copied:
            records[first_paths[paths[0]]][2] = files.stamp(paths)
    progress.advance(since_progress)
    return used, records, todo


def _write_awards(job: AwardJob, start: int, end: int) -> tuple[int, int, dict, dict, int]:
    """Make the files of the awards job.todo[start:end]."""
    site, signing = job.site, job.signing
    renderers = job_renderers(job)
    files = StagingFolder(job.staging, job.budget)
    used: dict = {}
    records: dict = {}
    for award in job.todo[start:end]:
        for path, data in award_files(site, renderers, award):
            files.write(path, data)
        proof_key = None
        if signing is not None:
            credential, proof_key = ob3_signing.credential_files(site, signing, award, used)
            for path, data in credential:
                files.write(path, data)
        if job.jws_key is not None:
            token = sign_jws(ob2.signed_assertion(site, award), job.jws_key)
            files.write(site.urls.signed_assertion(award.id), token.encode("ascii"))
        records[award.id] = [_fingerprint(job, award), proof_key, files.stamp(_award_paths(job, award))]
    return files.count, files.total_bytes, used, records, 0


def job_renderers(job: AwardJob) -> list[Renderer]:
    """The renderers of award pages: the default language's, and the others' for `award_pages: every_language`.
    Made once per worker process."""
    if job.renderers is None:
        site = job.site
        languages = [site.config.default_language]
        if site.config.award_pages == "every_language":
            languages += [lang for lang in LANGUAGES if lang != site.config.default_language]
        job.renderers = [Renderer(job.root, site, lang) for lang in languages]
        for renderer in job.renderers:
            renderer.credentials_published = job.signing is not None
            renderer.today = job.today or renderer.today
    return job.renderers


def award_files(site: Site, renderers: list[Renderer], award: Award) -> list[tuple[str, bytes]]:
    """The hosted assertion, its pages and its baked image (unless pages bake it in the browser)."""
    urls = site.urls
    badge = site.badges[award.badge]
    document = ob2.assertion(site, award)
    data = ob2.to_json(document)
    files = [(urls.assertion_json(award.id), data)]
    files += [(renderer.award_page_path(award), renderer.award(award)) for renderer in renderers]
    if site.config.baked_files:
        baked = baking.bake_assertion(badge.image, document["id"], data.decode("utf-8"))
        files.append((urls.assertion_image(award.id, badge.image.kind), baked))
    return files


def _copy_assets(root: Path, site: Site, writer: OutputWriter) -> None:
    """Every file under the themes' static/ folders goes to assets/; the site's own theme wins. No key file is
    published: a private key anywhere in them (also in a file another theme's overrides) fails the build."""
    chosen: dict[str, tuple[str, bytes]] = {}
    problems = []
    for theme in theme_dirs(root, site.config.theme):
        static = theme / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if path.is_file():
                data, source = path.read_bytes(), os.path.relpath(path, root)
                problem = key_file_problem(path, data)
                if problem:
                    problems.append(Diagnostic(Location(source), problem, "error", "build.theme-private-key"))
                chosen.setdefault(path.relative_to(static).as_posix(), (source, data))
    if problems:
        raise BuildError(problems)
    for rel, (source, data) in sorted(chosen.items()):
        writer.add(f"assets/{rel}", data, source)
