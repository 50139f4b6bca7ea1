/* sitegen pages: the checks of a badge in the browser (window.SitegenChecks), without any page layout:
   verify.js shows what they find. Loaded after site.js, before verify.js.

   Everything fetched, dropped in or pasted is hostile until checked. A document is trusted only as the one it
   was fetched for (its id is that URL), only from this site, and a badge in hand only when it is, field for
   field, what the issuer's site publishes at its id. The same rules as `sitegen verify`.

   SitegenChecks.checkAward({assertionUrl, credentialUrl, site}) -> Promise<Report>   (award pages)
   SitegenChecks.checkInput({file} | {url} | {text}, site) -> Promise<Report>         (verify.html)
   SitegenChecks.checkRecipient(recipient, email) -> Promise<true|false|null>
   Report = {state, reason, detail, checks: [{name, outcome, reason, detail}], badge} (see helper-rules). */
(function () {
  "use strict";

  var OB2_NS = "http://openbadges.org";
  var OB3_NS = "https://purl.imsglobal.org/ob/v3p0";
  var BADGE_KEYWORDS = ["openbadgecredential", "openbadges"];  // PNG text chunks, in the order they are read

  // Size caps: a badge document is a few kilobytes, a badge image well under a megabyte.
  var MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
  var MAX_FILE_BYTES = 16 * 1024 * 1024;
  var MAX_STATUS_LIST_BYTES = 2 * 1024 * 1024;  // 16 million entries: a list that inflates to more is refused
  var MAX_PIXELS = 4096 * 4096;
  var FETCH_TIMEOUT_MS = 20000;  // a site that does not answer is unreachable, not a page that waits forever

  // The proof checker (eddsa-rdfc-2022) is large: it is fetched from beside this script, only when needed.
  var PROOF_SCRIPT = (document.currentScript && document.currentScript.src || "")
    .replace(/checks\.js(?:[?#].*)?$/, "vendor/ob3-proof.js");

  // The checks a report lists, in this order (names of sitegen/verify/checks.py CHECKS).
  var ORDER = ["issuer's site confirms", "signature", "issuer key", "status", "revocation list", "expiry",
    "image matches the badge"];
  var STATES = ["invalid", "revoked", "expired", "unverifiable", "valid"];  // worst first
  var OUTCOMES = ["failed", "unverifiable", "passed", "skipped"];  // worst first

  /* --- how a check ends ------------------------------------------------------------------------- */

  // Thrown by a check that cannot pass: its outcome, a reason key (_verify_reasons.html), specifics.
  function Stop(outcome, reason, detail) {
    this.outcome = outcome;
    this.reason = reason;
    this.detail = detail || "";
  }
  function failed(reason, detail) { return new Stop("failed", reason, detail); }
  function unverifiable(reason, detail) { return new Stop("unverifiable", reason, detail); }

  // What a check returns when it ends otherwise than "passed" but the checks after it go on with `value`.
  function Outcome(outcome, reason, detail, value) {
    this.outcome = outcome;
    this.reason = reason;
    this.detail = detail || "";
    this.value = value;
  }

  // A state the input gets before any check can run (unreadable, no-badge, elsewhere).
  function Early(state, reason, detail) {
    this.state = state;
    this.reason = reason;
    this.detail = detail || "";
  }

  function stateOf(entry) {
    if (entry.outcome === "unverifiable") { return "unverifiable"; }
    if (entry.outcome !== "failed") { return "valid"; }
    if (entry.reason === "revoked" || entry.reason === "suspended") { return "revoked"; }
    return entry.reason === "expired" ? "expired" : "invalid";
  }

  // One report being made: the checks' entries by name (a check run twice keeps its worst outcome).
  function Run(site) {
    this.site = site;
    this.entries = {};
    this.badge = null;
    this.badgeImage = null;  // the URL of the badge's image on the site, for "image matches the badge"
    this.revocationReason = null;
  }

  Run.prototype.record = function (name, outcome, reason, detail) {
    var had = this.entries[name];
    if (had && OUTCOMES.indexOf(had.outcome) <= OUTCOMES.indexOf(outcome)) { return; }
    this.entries[name] = {name: name, outcome: outcome, reason: reason || "", detail: String(detail || "")};
  };

  // Run one check: `fn` returns a value (passed), an Outcome, or throws a Stop. Resolves to the value
  // (null when the check stopped). An unexpected error is hostile data the check could not read.
  Run.prototype.step = function (name, fn) {
    var run = this;
    return Promise.resolve().then(fn).then(function (result) {
      if (result instanceof Outcome) {
        run.record(name, result.outcome, result.reason, result.detail);
        return result.value;
      }
      run.record(name, "passed", "", "");
      return result;
    }, function (error) {
      if (error instanceof Stop) {
        run.record(name, error.outcome, error.reason, error.detail);
      } else {
        run.record(name, "failed", "malformed", String(error && error.message || error));
      }
      return null;
    });
  };

  Run.prototype.report = function () {
    var entries = this.entries;
    var checks = ORDER.filter(function (name) { return entries[name]; }).map(function (name) { return entries[name]; });
    var state = "valid", reason = "", detail = "";
    checks.forEach(function (entry) {
      var s = stateOf(entry);
      if (STATES.indexOf(s) < STATES.indexOf(state)) {
        state = s;
        reason = entry.reason;
        detail = entry.detail;
      }
    });
    if (this.badge) { this.badge.revocationReason = this.revocationReason; }
    return {state: state, reason: reason, detail: detail, checks: checks, badge: this.badge};
  };

  function earlyReport(early) {
    return {state: early.state, reason: early.reason, detail: early.detail, checks: [], badge: null};
  }

  /* --- small helpers ---------------------------------------------------------------------------- */

  function listOf(value) { return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]; }

  function idOf(value) { return value && typeof value === "object" ? value.id : value; }

  function text(value) { return typeof value === "string" ? value : null; }

  function typesOf(doc) { return listOf(doc && doc.type); }

  function isCredential(doc) {
    var types = typesOf(doc);
    return types.indexOf("OpenBadgeCredential") >= 0 || types.indexOf("AchievementCredential") >= 0;
  }

  function onSite(url, site) { return typeof url === "string" && url.indexOf(site) === 0; }

  var UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
  var LANGUAGE_FOLDER = "[a-z]{2}(?:-[A-Za-z0-9]+)?/";  // ja/, en/: award pages of `award_pages: every_language`

  // The award id of an award's URL on the site (its assertion, credential, page or image), or null.
  function awardIdOf(url, site) {
    if (!onSite(url, site)) { return null; }
    var m = new RegExp("^(?:assertions|credentials)/(" + UUID + ")(?:\\.[a-z]+)?$").exec(url.slice(site.length));
    return m ? m[1] : null;
  }

  // The same JSON, whatever the order of its keys.
  function canonical(value) {
    if (Array.isArray(value)) { return "[" + value.map(canonical).join(",") + "]"; }
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (k) {
        return JSON.stringify(k) + ":" + canonical(value[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(value);
  }

  function without(doc, keys) {
    var copy = Object.create(null);  // a "__proto__" key stays a key
    Object.keys(doc).forEach(function (k) { if (keys.indexOf(k) < 0) { copy[k] = doc[k]; } });
    return copy;
  }

  function base64urlBytes(value) {
    var b64 = String(value).replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function sameBytes(a, b) {
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }

  function utf8(bytes) { return new TextDecoder("utf-8").decode(bytes); }

  function isPng(bytes) {
    return bytes.length > 33 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4E && bytes[3] === 0x47;
  }

  // A compact JWS: three base64url parts.
  var JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

  // Inflate `bytes` (a DecompressionStream format), refusing more than `limit` bytes.
  function inflate(bytes, format, limit) {
    var reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format)).getReader();
    var parts = [], total = 0;
    function next() {
      return reader.read().then(function (step) {
        if (step.done) {
          var out = new Uint8Array(total), at = 0;
          parts.forEach(function (part) { out.set(part, at); at += part.length; });
          return out;
        }
        total += step.value.length;
        if (total > limit) {
          reader.cancel();
          throw new Error("inflates to more than " + limit + " bytes");
        }
        parts.push(step.value);
        return next();
      });
    }
    return next();
  }

  /* --- fetching from the site ------------------------------------------------------------------- */

  // The bytes at `url` (on the site): a Stop "not-published" for 404/410, "network" when the site cannot be
  // reached or answers with an error.
  function fetchBytes(url, site) {
    if (!onSite(url, site)) { return Promise.reject(failed("not-on-this-site", url)); }
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort && setTimeout(function () { abort.abort(); }, FETCH_TIMEOUT_MS);
    var options = {cache: "no-store", credentials: "omit", signal: abort ? abort.signal : undefined};
    return fetch(url, options).then(function (response) {
      if (response.status === 404 || response.status === 410) { throw failed("not-published", url); }
      if (!response.ok) { throw unverifiable("network", "HTTP " + response.status + ": " + url); }
      if (Number(response.headers.get("content-length")) > MAX_DOCUMENT_BYTES) { throw failed("too-large", url); }
      return response.arrayBuffer().then(function (buffer) {
        if (buffer.byteLength > MAX_FILE_BYTES) { throw failed("too-large", url); }
        return {bytes: new Uint8Array(buffer), type: response.headers.get("content-type") || ""};
      }, function () { throw unverifiable("network", url); });
    }, function () { throw unverifiable("network", url); }).then(function (got) {
      clearTimeout(timer);
      return got;
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }

  function fetchJson(url, site) {
    return fetchBytes(url, site).then(function (got) {
      if (got.bytes.length > MAX_DOCUMENT_BYTES) { throw failed("too-large", url); }
      try {
        return JSON.parse(utf8(got.bytes));
      } catch (error) {
        throw failed("wrong-document", url);
      }
    });
  }

  // A JSON document that must carry `url` as its id (so it cannot be a copy served elsewhere).
  function fetchBound(url, site) {
    return fetchJson(url, site).then(function (doc) {
      if (!doc || typeof doc !== "object" || doc.id !== url) { throw failed("wrong-document", url); }
      return doc;
    });
  }

  /* --- the issuer's keys ------------------------------------------------------------------------ */

  // Where a did:web DID's document lives, or null when the DID is not a plain did:web.
  function didWebUrl(did) {
    var m = /^did:web:([A-Za-z0-9.-]+(?:%3[Aa][0-9]+)?)((?::[A-Za-z0-9._~%!$&'()*+,;=@-]+)*)$/.exec(did || "");
    if (!m) { return null; }
    var segments = m[2] ? m[2].slice(1).split(":").map(decodeURIComponent) : [];
    if (segments.some(function (s) { return /[\/?#\\]/.test(s) || s === "." || s === ".."; })) { return null; }
    var host = decodeURIComponent(m[1]);
    return "https://" + host + "/" + (segments.length ? segments.join("/") + "/did.json" : ".well-known/did.json");
  }

  // The DID document of the issuer, fetched from this site (the pages check this site's badges only).
  function siteDidDocument(did, site) {
    var url = didWebUrl(did);
    if (!url) { return Promise.reject(failed("foreign-key", did)); }
    var at = new URL(url), home = new URL(site);
    if (at.host !== home.host || at.pathname.indexOf(home.pathname) !== 0) {
      return Promise.reject(failed("foreign-key", did));
    }
    var local = new URL(at.pathname, home).href;  // the site's own scheme (http on a local preview)
    return fetchJson(local, site).then(function (doc) {
      if (!doc || doc.id !== did) { throw failed("wrong-document", local); }
      return doc;
    });
  }

  // The verification method of the document's proof, when it is a key of its issuer: under the issuer's DID,
  // listed by id in the assertionMethod of that DID's document, defined there once for that DID.
  function issuerKey(doc, site) {
    var issuer = idOf(doc.issuer);
    var proof = listOf(doc.proof)[0];
    var vm = proof && proof.verificationMethod;
    if (typeof issuer !== "string" || typeof vm !== "string") {
      return Promise.reject(failed("no-signature", ""));
    }
    var hash = vm.indexOf("#");
    if (hash < 0 || vm.slice(0, hash) !== issuer || !vm.slice(hash + 1) || vm.indexOf("#", hash + 1) >= 0) {
      return Promise.reject(failed("foreign-key", vm));
    }
    return siteDidDocument(issuer, site).then(function (didDoc) {
      var listed = listOf(didDoc.assertionMethod).filter(function (m) { return idOf(m) === vm; });
      if (!listed.length) { throw failed("foreign-key", vm); }
      var methods = listed.filter(function (m) { return typeof m === "object"; });
      if (!methods.length) {
        methods = listOf(didDoc.verificationMethod).filter(function (m) { return m && m.id === vm; });
      }
      if (methods.length !== 1 || methods[0].controller !== issuer) { throw failed("foreign-key", vm); }
      return methods[0];
    });
  }

  var proofChecker = null;

  // window.SitegenProof, loaded once by a <script> element; null when it cannot be loaded.
  function loadProofChecker() {
    if (window.SitegenProof) { return Promise.resolve(window.SitegenProof); }
    if (!proofChecker) {
      proofChecker = new Promise(function (resolve) {
        if (!PROOF_SCRIPT) { resolve(null); return; }
        var script = document.createElement("script");
        script.src = PROOF_SCRIPT;
        script.onload = function () { resolve(window.SitegenProof || null); };
        script.onerror = function () { proofChecker = null; resolve(null); };
        document.head.appendChild(script);
      });
    }
    return proofChecker;
  }

  // The document's Data Integrity proof, verified with `method` (a Multikey of its issuer).
  function verifyProof(doc, method) {
    return loadProofChecker().then(function (checker) {
      if (!checker) { throw unverifiable("no-proof-checker", ""); }
      return Promise.resolve(checker.verify(doc, {publicKeyMultibase: method.publicKeyMultibase}))
        .then(function (result) {
          if (result && result.verified === true) { return true; }
          var why = result && result.reason;
          if (why === "bad-signature") { throw failed("bad-signature", ""); }
          if (why === "no-proof") { throw failed("no-signature", ""); }
          throw failed("malformed-signature", [why, result && result.detail].filter(Boolean).join(": "));
        }, function (error) {
          throw unverifiable("no-proof-checker", String(error && error.message || error));
        });
    });
  }

  /* --- Open Badges 2.0 ---------------------------------------------------------------------------- */

  // The badge as the site publishes it, from a hosted assertion, its badge class and issuer profile.
  function ob2Badge(run, url, hosted, badgeClass, issuer) {
    var awardId = awardIdOf(url, run.site);
    return {
      kind: "ob2", awardId: awardId, awardPage: awardId ? run.site + "assertions/" + awardId + ".html" : null,
      dataUrl: url, name: text(badgeClass.name), image: text(idOf(badgeClass.image)),
      issuer: {name: text(issuer.name), url: text(issuer.url), image: text(idOf(issuer.image))},
      issuedOn: text(hosted.issuedOn), expires: text(hosted.expires), revocationReason: null,
      recipient: recipientOf(hosted.recipient && hosted.recipient.identity, hosted.recipient), recipientName: null
    };
  }

  function recipientOf(identity, holder) {
    if (typeof identity !== "string" || !holder) { return null; }
    return {identity: identity, salt: text(holder.salt) || "", hashed: holder.hashed !== false};
  }

  /* A hosted assertion at `url`: the site publishes it (the same as `inHand`, when one is in hand), its
     badge class and issuer; the issuer has not revoked it; it has not expired. */
  function checkHosted(run, url, inHand) {
    var site = run.site;
    var found = {};
    return run.step("issuer's site confirms", function () {
      return fetchBound(url, site).then(function (hosted) {
        if (hosted.type !== "Assertion") { throw failed("wrong-document", url); }
        found.hosted = hosted;
        if (hosted.revoked === true) {
          // Published stripped: there is nothing left to compare with.
          return inHand ? new Outcome("skipped", "revoked", "", hosted) : hosted;
        }
        var badgeUrl = idOf(hosted.badge);
        return fetchBound(badgeUrl, site).then(function (badgeClass) {
          if (badgeClass.type !== "BadgeClass") { throw failed("wrong-document", badgeUrl); }
          found.badgeClass = badgeClass;
          var issuerUrl = idOf(badgeClass.issuer);
          return fetchBound(issuerUrl, site);
        }).then(function (issuer) {
          if (typesOf(issuer).indexOf("Profile") < 0 && typesOf(issuer).indexOf("Issuer") < 0) {
            throw failed("wrong-document", issuer.id);
          }
          // The issuer says where its hosted assertions may live.
          var scope = issuer.verification && issuer.verification.startsWith;
          var within = function (start) { return typeof start === "string" && url.indexOf(start) === 0; };
          if (scope !== undefined && !listOf(scope).some(within)) {
            throw failed("wrong-document", url);
          }
          found.issuer = issuer;
          run.badge = ob2Badge(run, url, hosted, found.badgeClass, issuer);
          run.badgeImage = run.badge.image;
          if (inHand && canonical(inHand) !== canonical(hosted)) {
            return new Outcome("failed", "differs-from-hosted", url, hosted);
          }
          return hosted;
        });
      });
    }).then(function (hosted) {
      if (!hosted) { return null; }
      var steps = [run.step("revocation list", function () { return revocationOf(run, hosted, found.issuer); })];
      if (hosted.revoked !== true) {
        steps.push(run.step("expiry", function () { return expiryOf(hosted.expires); }));
      }
      return Promise.all(steps);
    });
  }

  // Not revoked: the hosted assertion says so, and so does the issuer's revocation list.
  function revocationOf(run, hosted, issuer) {
    if (hosted.revoked === true) {
      run.revocationReason = text(hosted.revocationReason);
      throw failed("revoked", hosted.revocationReason || "");
    }
    var listUrl = issuer && idOf(issuer.revocationList);
    if (!listUrl) { return true; }
    return fetchBound(listUrl, run.site).then(function (list) {
      if (idOf(list.issuer) !== issuer.id) { throw failed("bad-status-list", listUrl); }
      var award = awardIdOf(hosted.id, run.site);
      var ids = [hosted.id].concat(award ? ["urn:uuid:" + award] : []);
      var entry = listOf(list.revokedAssertions).filter(function (e) { return ids.indexOf(idOf(e)) >= 0; })[0];
      if (entry) {
        run.revocationReason = text(entry.revocationReason);
        throw failed("revoked", entry.revocationReason || "");
      }
      return true;
    });
  }

  function expiryOf(expires) {
    if (expires === undefined || expires === null) { return true; }
    var when = Date.parse(expires);
    if (isNaN(when)) { throw failed("malformed", String(expires)); }
    if (when < Date.now()) { throw failed("expired", String(expires)); }
    return true;
  }

  function pemBytes(pem) {
    var body = String(pem).replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
    var raw = atob(body), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  // The key names the issuer as its owner; or (sitegen's one key of a site with several issuers) a profile
  // beside the issuer's that lists the key too.
  function ownerListsKey(key, issuer, creator, site) {
    if (key.owner === issuer.id) { return Promise.resolve(true); }
    var folder = function (url) { return String(url).replace(/\/[^\/]*$/, ""); };
    if (typeof key.owner !== "string" || folder(key.owner) !== folder(issuer.id)) { return Promise.resolve(false); }
    return fetchBound(key.owner, site).then(function (owner) {
      return listOf(owner.publicKey).map(idOf).indexOf(creator) >= 0;
    });
  }

  /* An Open Badges 2.0 signed assertion (JWS): the site publishes the same token (or the same assertion),
     signed (RS256) with a key the issuer's profile lists and that names the issuer; then the hosted
     assertion of the same award for its status. */
  function checkJws(run, token) {
    var site = run.site, parts = token.split("."), header, payload;
    try {
      header = JSON.parse(utf8(base64urlBytes(parts[0])));
      payload = JSON.parse(utf8(base64urlBytes(parts[1])));
    } catch (error) {
      return Promise.reject(new Early("unreadable", "not-a-badge-document", ""));
    }
    if (!payload || typeof payload !== "object") {
      return Promise.reject(new Early("unreadable", "not-a-badge-document", ""));
    }
    var badgeUrl = idOf(payload.badge);
    if (!onSite(badgeUrl, site)) { return Promise.reject(new Early("elsewhere", "other-site", String(badgeUrl))); }
    var award = new RegExp("^urn:uuid:(" + UUID + ")$").exec(String(payload.id));
    if (!award) { return Promise.reject(new Early("unreadable", "not-a-badge-document", String(payload.id))); }
    var hostedUrl = site + "assertions/" + award[1] + ".json";
    var creator = payload.verification && payload.verification.creator;

    var confirmed = run.step("issuer's site confirms", function () {
      var tokenUrl = site + "assertions/" + award[1] + ".jws";
      return fetchBytes(tokenUrl, site).then(function (got) {
        if (utf8(got.bytes).trim() !== token) { throw failed("differs-from-hosted", tokenUrl); }
        return true;
      }, function (stop) {
        if (!(stop instanceof Stop) || stop.reason !== "not-published") { throw stop; }
        // No token published: the payload must say what the hosted assertion says.
        return fetchBound(hostedUrl, site).then(function (hosted) {
          if (hosted.revoked === true) { return new Outcome("skipped", "revoked", "", true); }
          var strip = ["id", "verification", "image"];
          if (canonical(without(payload, strip)) !== canonical(without(hosted, strip))) {
            throw failed("differs-from-hosted", hostedUrl);
          }
          return true;
        });
      });
    });

    var key = run.step("issuer key", function () {
      if (!onSite(creator, site)) { throw failed("foreign-key", String(creator)); }
      return Promise.all([fetchBound(creator, site), fetchBound(badgeUrl, site)]).then(function (got) {
        var keyDoc = got[0], badgeClass = got[1];
        if (keyDoc.type !== "CryptographicKey") { throw failed("foreign-key", creator); }
        if (badgeClass.type !== "BadgeClass") { throw failed("wrong-document", badgeUrl); }
        return fetchBound(idOf(badgeClass.issuer), site).then(function (issuer) {
          if (listOf(issuer.publicKey).map(idOf).indexOf(creator) < 0) { throw failed("foreign-key", creator); }
          return ownerListsKey(keyDoc, issuer, creator, site).then(function (owned) {
            if (!owned) { throw failed("foreign-key", creator); }
            return keyDoc;
          });
        });
      });
    });

    var signed = key.then(function (keyDoc) {
      return run.step("signature", function () {
        if (!keyDoc) { return new Outcome("skipped", "foreign-key", "", null); }
        if (header.alg !== "RS256") { throw failed("malformed-signature", "alg " + String(header.alg)); }
        if (!window.crypto || !crypto.subtle) { throw unverifiable("no-browser-support", ""); }
        return crypto.subtle.importKey("spki", pemBytes(keyDoc.publicKeyPem),
          {name: "RSASSA-PKCS1-v1_5", hash: "SHA-256"}, false, ["verify"]).then(function (publicKey) {
          return crypto.subtle.verify("RSASSA-PKCS1-v1_5", publicKey, base64urlBytes(parts[2]),
            new TextEncoder().encode(parts[0] + "." + parts[1]));
        }, function () { throw failed("malformed-signature", creator); }).then(function (good) {
          if (!good) { throw failed("bad-signature", ""); }
          return true;
        });
      });
    });

    return Promise.all([confirmed, signed, checkHosted(run, hostedUrl, null)]);
  }

  /* --- Open Badges 3.0 ---------------------------------------------------------------------------- */

  function ob3Badge(run, doc) {
    var subject = doc.credentialSubject || {};
    var achievement = subject.achievement || {};
    var issuer = doc.issuer && typeof doc.issuer === "object" ? doc.issuer : {};
    var awardId = awardIdOf(doc.id, run.site);
    var identifier = listOf(subject.identifier)[0];
    return {
      kind: "ob3", awardId: awardId, awardPage: awardId ? run.site + "assertions/" + awardId + ".html" : null,
      dataUrl: text(doc.id), name: text(achievement.name) || text(doc.name), image: text(idOf(achievement.image)),
      issuer: {name: text(issuer.name), url: text(issuer.url), image: text(idOf(issuer.image))},
      issuedOn: text(doc.validFrom) || text(doc.issuanceDate),
      expires: text(doc.validUntil) || text(doc.expirationDate),
      revocationReason: null,
      recipient: identifier ? recipientOf(identifier.identityHash, identifier) : null,
      recipientName: text(subject.name)
    };
  }

  /* An Open Badges 3.0 credential at `url`: the site publishes it (the same as `inHand`, proof included, when
     one is in hand); its proof verifies with a key of its issuer; its status is not revoked; not expired. */
  function checkCredential(run, url, inHand) {
    var site = run.site;
    var published = run.step("issuer's site confirms", function () {
      return fetchBound(url, site).then(function (doc) {
        if (!isCredential(doc)) { throw failed("wrong-document", url); }
        run.badge = ob3Badge(run, doc);
        run.badgeImage = run.badge.image;
        if (inHand && canonical(inHand) !== canonical(doc)) {
          return new Outcome("failed", "differs-from-hosted", url, doc);
        }
        return doc;
      });
    });
    return published.then(function (doc) {
      var held = inHand || doc;  // the signature of what the verifier holds
      if (!held) { return null; }
      var keyed = run.step("issuer key", function () { return issuerKey(held, site); });
      var signed = keyed.then(function (method) {
        return run.step("signature", function () {
          if (!method) { return new Outcome("skipped", "foreign-key", "", null); }
          return verifyProof(held, method);
        });
      });
      var steps = [keyed, signed];
      if (doc) {
        steps.push(run.step("status", function () { return statusOf(run, doc); }));
        steps.push(run.step("expiry", function () { return expiryOf(doc.validUntil); }));
      }
      return Promise.all(steps);
    });
  }

  // Not revoked nor suspended, by each of the credential's statuses.
  function statusOf(run, doc) {
    var statuses = listOf(doc.credentialStatus);
    if (!statuses.length) { return new Outcome("skipped", "no-status", "", null); }
    return Promise.all(statuses.map(function (status) { return oneStatus(run, doc, status); }));
  }

  function oneStatus(run, doc, status) {
    var site = run.site, issuer = idOf(doc.issuer), types = listOf(status && status.type);
    if (types.indexOf("1EdTechRevocationList") >= 0) {
      return fetchBound(status.id, site).then(function (list) {
        if (idOf(list.issuer) !== issuer) { throw failed("bad-status-list", status.id); }
        var entries = [].concat(list.revokedCredential || [], list.revokedCredentials || []);
        var entry = entries.filter(function (e) { return e && e.id === doc.id && e.revoked !== false; })[0];
        if (entry) {
          run.revocationReason = text(entry.revocationReason);
          throw failed("revoked", entry.revocationReason || "");
        }
        return true;
      });
    }
    var purpose = status && status.statusPurpose;
    if (types.indexOf("BitstringStatusListEntry") < 0 || (purpose !== "revocation" && purpose !== "suspension")) {
      return Promise.reject(failed("unsupported-status", types.join(" ")));
    }
    if (!window.DecompressionStream) { return Promise.reject(unverifiable("no-browser-support", "")); }
    var listUrl = status.statusListCredential;
    return fetchBound(listUrl, site).then(function (list) {
      var subject = list.credentialSubject || {};
      if (typesOf(list).indexOf("BitstringStatusListCredential") < 0 || idOf(list.issuer) !== issuer ||
          subject.statusPurpose !== purpose) {
        throw failed("bad-status-list", listUrl);
      }
      // The list is signed by its issuer (when the proof checker can be loaded: else its key at least).
      return issuerKey(list, site).then(function (method) {
        return verifyProof(list, method).catch(function (stop) {
          if (stop instanceof Stop && stop.reason === "no-proof-checker") { return true; }
          throw stop;
        });
      }).catch(function (stop) {
        if (stop instanceof Stop && stop.outcome === "failed") { throw failed("bad-status-list", listUrl); }
        throw stop;
      }).then(function () {
        return inflate(base64urlBytes(String(subject.encodedList || "").slice(1)), "gzip", MAX_STATUS_LIST_BYTES)
          .catch(function () { throw failed("bad-status-list", listUrl); });
      }).then(function (bits) {
        var index = parseInt(status.statusListIndex, 10);
        if (!(index >= 0) || index >= bits.length * 8) { throw failed("bad-status-list", listUrl); }
        if (!(bits[index >> 3] & (0x80 >> (index % 8)))) { return true; }
        if (purpose === "suspension") { throw failed("suspended", ""); }
        return publishedReason(run, doc).then(function (reason) {
          run.revocationReason = reason;
          throw failed("revoked", reason || "");
        });
      });
    });
  }

  // The reason the issuer published for revoking an award (its stripped hosted assertion), or null.
  function publishedReason(run, doc) {
    var award = awardIdOf(doc.id, run.site);
    if (!award) { return Promise.resolve(null); }
    var url = run.site + "assertions/" + award + ".json";
    return fetchBound(url, run.site).then(function (hosted) {
      return hosted.revoked === true ? text(hosted.revocationReason) : null;
    }, function () { return null; });
  }

  /* --- badge images ----------------------------------------------------------------------------- */

  function pngChunks(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    var pos = 8, chunks = [];
    while (pos + 12 <= bytes.length) {
      var length = view.getUint32(pos);
      if (pos + 12 + length > bytes.length) { throw new Early("unreadable", "not-an-image", "truncated PNG"); }
      var type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
      chunks.push({type: type, start: pos, end: pos + 12 + length, data: bytes.subarray(pos + 8, pos + 8 + length)});
      pos += 12 + length;
      if (type === "IEND") { break; }
    }
    return chunks;
  }

  function chunkKeyword(chunk) {
    if (chunk.type !== "iTXt" && chunk.type !== "tEXt") { return null; }
    var zero = chunk.data.indexOf(0);
    return zero < 0 ? null : new TextDecoder("latin1").decode(chunk.data.subarray(0, zero));
  }

  // The badge data of a PNG's openbadges / openbadgecredential text chunk (the credential first), or null.
  function readPng(bytes) {
    var chunks = pngChunks(bytes), found = {};
    chunks.forEach(function (chunk) {
      var keyword = chunkKeyword(chunk);
      if (BADGE_KEYWORDS.indexOf(keyword) >= 0 && !(keyword in found)) { found[keyword] = chunk; }
    });
    var chunk = found.openbadgecredential || found.openbadges;
    if (!chunk) { return Promise.resolve(null); }
    var data = chunk.data, zero = data.indexOf(0);
    if (chunk.type === "tEXt") { return Promise.resolve(new TextDecoder("latin1").decode(data.subarray(zero + 1))); }
    var compressed = data[zero + 1] === 1;
    var rest = data.subarray(zero + 3);
    rest = rest.subarray(rest.indexOf(0) + 1);  // the language tag
    rest = rest.subarray(rest.indexOf(0) + 1);  // the translated keyword
    if (!compressed) { return Promise.resolve(utf8(rest)); }
    if (!window.DecompressionStream) { return Promise.reject(unverifiable("no-browser-support", "")); }
    return inflate(rest, "deflate", MAX_DOCUMENT_BYTES).then(utf8, function () {
      throw new Early("unreadable", "not-an-image", "compressed badge data");
    });
  }

  function badgeChunkCount(bytes) {
    var isBadge = function (chunk) { return BADGE_KEYWORDS.indexOf(chunkKeyword(chunk)) >= 0; };
    return pngChunks(bytes).filter(isBadge).length;
  }

  // The PNG without the text chunks baking adds.
  function unbakePng(bytes) {
    var kept = [bytes.subarray(0, 8)], total = 8;
    pngChunks(bytes).forEach(function (chunk) {
      if (BADGE_KEYWORDS.indexOf(chunkKeyword(chunk)) < 0) {
        kept.push(bytes.subarray(chunk.start, chunk.end));
        total += chunk.end - chunk.start;
      }
    });
    var out = new Uint8Array(total), at = 0;
    kept.forEach(function (part) { out.set(part, at); at += part.length; });
    return out;
  }

  // The badge data of an SVG (its openbadges:credential or openbadges:assertion element), or null.
  function readSvg(svg) {
    if (/<!ENTITY/i.test(svg)) { throw new Early("unreadable", "not-an-image", "XML entities"); }
    var doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    var root = doc.documentElement;
    if (!root || root.localName !== "svg" || doc.getElementsByTagName("parsererror").length) {
      throw new Early("unreadable", "not-an-image", "");
    }
    var element = doc.getElementsByTagNameNS(OB3_NS, "credential")[0] ||
      doc.getElementsByTagNameNS(OB2_NS, "assertion")[0];
    if (!element) { return null; }
    return element.textContent.trim() || element.getAttribute("verify");
  }

  // The SVG without what baking adds: the openbadges element and the namespace declaration on <svg>.
  function unbakeSvg(svg) {
    var element = /<openbadges:(assertion|credential)\b[\s\S]*?<\/openbadges:\1>/.exec(svg);
    if (!element) { return svg; }
    var out = svg.slice(0, element.index) + svg.slice(element.index + element[0].length);
    return out.replace(/ xmlns:openbadges="[^"]*"/, "");
  }

  function pngSize(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return {width: view.getUint32(16), height: view.getUint32(20)};
  }

  // The RGBA pixels of a PNG, or null when the browser cannot decode it.
  function pixels(bytes) {
    var size = pngSize(bytes);
    if (size.width * size.height > MAX_PIXELS || !window.createImageBitmap) { return Promise.resolve(null); }
    return createImageBitmap(new Blob([bytes], {type: "image/png"}), {
      premultiplyAlpha: "none", colorSpaceConversion: "none"
    }).then(function (bitmap) {
      var canvas = document.createElement("canvas");
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      var context = canvas.getContext("2d");
      context.drawImage(bitmap, 0, 0);
      return {width: bitmap.width, height: bitmap.height,
        data: context.getImageData(0, 0, bitmap.width, bitmap.height).data};
    }, function () { return null; });
  }

  // The picture in hand is the badge's image on the site, with only the badge data added.
  function imageMatches(run, image) {
    return run.step("image matches the badge", function () {
      return fetchBytes(run.badgeImage, run.site).then(function (got) {
        var published = got.bytes;
        if (image.kind === "svg") {
          if (unbakeSvg(image.text) !== utf8(published)) { throw failed("not-the-badge-image", run.badgeImage); }
          return true;
        }
        // Baking adds one chunk: a second one carries badge data this check did not read.
        if (badgeChunkCount(image.bytes) > 1) { throw failed("several-badges-in-image", ""); }
        var mine = unbakePng(image.bytes);
        if (sameBytes(mine, published)) { return true; }
        if (!isPng(published)) { throw failed("not-the-badge-image", run.badgeImage); }
        // Re-encoded (an image optimiser, a re-save): the same picture still passes.
        return Promise.all([pixels(mine), pixels(published)]).then(function (both) {
          var a = both[0], b = both[1];
          if (!a || !b) { throw failed("not-the-badge-image", run.badgeImage); }
          if (a.width !== b.width || a.height !== b.height || !sameBytes(a.data, b.data)) {
            throw failed("not-the-badge-image", run.badgeImage);
          }
          return true;
        });
      });
    });
  }

  /* --- inputs ----------------------------------------------------------------------------------- */

  // A badge document in hand (assertion or credential), as a parsed JSON object.
  function checkDocument(run, doc) {
    var site = run.site;
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
      return Promise.reject(new Early("unreadable", "not-a-badge-document", ""));
    }
    if (isCredential(doc)) {
      if (!onSite(doc.id, site)) { return Promise.reject(new Early("elsewhere", "other-site", String(doc.id))); }
      return checkCredential(run, doc.id, doc);
    }
    if (doc.type === "Assertion") {
      if (typeof doc.id === "string" && /^urn:uuid:/.test(doc.id)) {
        return Promise.reject(new Early("unreadable", "signed-without-signature", doc.id));
      }
      if (!onSite(doc.id, site)) { return Promise.reject(new Early("elsewhere", "other-site", String(doc.id))); }
      return checkHosted(run, doc.id, doc);
    }
    return Promise.reject(new Early("unreadable", "not-a-badge-document", ""));
  }

  // Text: a badge document (JSON), a compact JWS, or (baked in an image) the URL of a hosted assertion.
  function checkText(run, value, image) {
    var trimmed = value.trim();
    if (trimmed.charAt(0) === "{" || trimmed.charAt(0) === "[") {
      var doc;
      try {
        doc = JSON.parse(trimmed);
      } catch (error) {
        return Promise.reject(new Early("unreadable", "not-json", ""));
      }
      return checkDocument(run, doc);
    }
    if (JWS.test(trimmed)) { return checkJws(run, trimmed); }
    if (/^https?:\/\//.test(trimmed)) {
      if (!onSite(trimmed, run.site)) { return Promise.reject(new Early("elsewhere", "other-site", trimmed)); }
      return checkHosted(run, trimmed, null);
    }
    return Promise.reject(new Early("unreadable", image ? "no-badge-in-image" : "not-a-badge-document", ""));
  }

  // The bytes of a file (or of a URL's answer): a PNG or SVG badge image, a JSON document, or a JWS.
  function checkBytes(run, bytes) {
    var image, found;
    if (isPng(bytes)) {
      image = {kind: "png", bytes: bytes};
      found = readPng(bytes);
    } else {
      var content = utf8(bytes).replace(/^\uFEFF/, "");
      var start = content.trim().charAt(0);
      if (start !== "<") {
        if (start === "{" || start === "[" || JWS.test(content.trim())) { return checkText(run, content, null); }
        return Promise.reject(new Early("unreadable", "not-an-image", ""));
      }
      image = {kind: "svg", text: content};
      found = Promise.resolve().then(function () { return readSvg(content); });
    }
    return found.then(function (data) {
      if (!data) { throw new Early("no-badge", "no-badge-in-image", ""); }
      return checkText(run, data, image).then(function () {
        if (run.badgeImage) { return imageMatches(run, image); }
      });
    });
  }

  function finish(run, work) {
    return work.then(function () { return run.report(); }, function (error) {
      if (error instanceof Early) { return earlyReport(error); }
      if (error instanceof Stop) {  // the input's own document could not be fetched from the site
        run.record("issuer's site confirms", error.outcome, error.reason, error.detail);
        return run.report();
      }
      return earlyReport(new Early("unreadable", "not-a-badge-document", String(error && error.message || error)));
    });
  }

  function siteOf(site) {
    var absolute = new URL(site || "./", location.href).href;
    return absolute.charAt(absolute.length - 1) === "/" ? absolute : absolute + "/";
  }

  /* The award page's checks: its hosted assertion and, when the site publishes one, its credential. */
  function checkAward(options) {
    var run = new Run(siteOf(options.site || String(options.assertionUrl).replace(/assertions\/[^\/]*$/, "")));
    return finish(run, awardChecks(run, new URL(options.assertionUrl, location.href).href,
      options.credentialUrl ? new URL(options.credentialUrl, location.href).href : null, false));
  }

  function awardChecks(run, assertionUrl, credentialUrl, credentialOptional) {
    var hosted = new Run(run.site), credential = new Run(run.site);
    var work = [checkHosted(hosted, assertionUrl, null)];
    if (credentialUrl) {
      work.push(credentialOptional ? fetchBytes(credentialUrl, run.site).then(function () {
        return checkCredential(credential, credentialUrl, null);
      }, function (stop) {
        // Sites without credentials publish none: only a missing one is left out.
        if (!(stop instanceof Stop) || stop.reason !== "not-published") {
          credential.record("issuer's site confirms", stop.outcome || "unverifiable", stop.reason, stop.detail);
        }
      }) : checkCredential(credential, credentialUrl, null));
    }
    return Promise.all(work).then(function () {
      [hosted, credential].forEach(function (part) {
        Object.keys(part.entries).forEach(function (name) {
          var e = part.entries[name];
          run.record(name, e.outcome, e.reason, e.detail);
        });
      });
      // The badge as the hosted assertion tells it; a revoked award's assertion is stripped: its credential.
      run.badge = hosted.badge || credential.badge;
      run.revocationReason = hosted.revocationReason || credential.revocationReason;
      if (run.badge && !run.badge.awardId) { run.badge.awardId = awardIdOf(assertionUrl, run.site); }
    });
  }

  // An award page URL of any language folder, or the award's extensionless page: its award id; else null.
  function awardPageId(url, site) {
    var page = new RegExp("^(?:" + LANGUAGE_FOLDER + ")?assertions/(" + UUID + ")(?:\\.html)?$");
    var m = page.exec(url.slice(site.length));
    return m ? m[1] : null;
  }

  function checkUrl(run, value) {
    var url;
    try {
      url = new URL(value);
    } catch (error) {
      return Promise.reject(new Early("unreadable", "not-a-link", ""));
    }
    url.search = "";
    url.hash = "";
    var plain = url.href;
    if (!onSite(plain, run.site)) { return Promise.reject(new Early("elsewhere", "other-site", plain)); }
    var award = awardPageId(plain, run.site);
    if (award) {
      var assertion = run.site + "assertions/" + award + ".json";
      return awardChecks(run, assertion, run.site + "credentials/" + award + ".json", true);
    }
    // An award's JSON, credential or image in a language folder is the award's own.
    var folder = new RegExp("^(?:" + LANGUAGE_FOLDER + ")((?:assertions|credentials)/)");
    plain = run.site + plain.slice(run.site.length).replace(folder, "$1");
    return fetchBytes(plain, run.site).then(function (got) {
      if (/text\/html/i.test(got.type)) { throw new Early("unreadable", "not-a-badge-document", plain); }
      return checkBytes(run, got.bytes);
    }, function (stop) {
      if (stop instanceof Stop && stop.reason === "not-published") {
        run.record("issuer's site confirms", "failed", "not-published", plain);
        return null;
      }
      throw stop;
    });
  }

  function checkInput(input, site) {
    var run = new Run(siteOf(site));
    var work;
    if (input && input.file) {
      work = input.file.size > MAX_FILE_BYTES ? Promise.reject(new Early("unreadable", "too-large", "")) :
        input.file.arrayBuffer().then(function (buffer) { return checkBytes(run, new Uint8Array(buffer)); });
    } else if (input && typeof input.url === "string") {
      work = checkUrl(run, input.url.trim());
    } else if (input && typeof input.text === "string") {
      var trimmed = input.text.trim();
      work = /^https?:\/\/\S+$/.test(trimmed) ? checkUrl(run, trimmed) :
        trimmed.length > MAX_DOCUMENT_BYTES ? Promise.reject(new Early("unreadable", "too-large", "")) :
          checkText(run, trimmed, null);
    } else {
      work = Promise.reject(new Early("unreadable", "not-a-badge-document", ""));
    }
    return finish(run, work);
  }

  /* --- the recipient ------------------------------------------------------------------------------ */

  function hex(buffer) {
    var two = function (b) { return ("0" + b.toString(16)).slice(-2); };
    return Array.prototype.map.call(new Uint8Array(buffer), two).join("");
  }

  /* Whether `email` is the recipient, as sitegen/recipients.py decides: the normalised address (and the
     address as typed) with the salt, hashed here; nothing leaves the browser. null when it cannot tell. */
  function checkRecipient(recipient, email) {
    if (!recipient || typeof recipient.identity !== "string" || typeof email !== "string" || !email.trim()) {
      return Promise.resolve(null);
    }
    var normal = email.trim().toLowerCase();
    if (recipient.hashed === false) { return Promise.resolve(recipient.identity.trim().toLowerCase() === normal); }
    var at = recipient.identity.indexOf("$");
    var algorithm = recipient.identity.slice(0, at).toLowerCase();
    var digest = recipient.identity.slice(at + 1).toLowerCase();
    if (at < 0 || algorithm !== "sha256" || !window.crypto || !crypto.subtle) { return Promise.resolve(null); }
    var salt = typeof recipient.salt === "string" ? recipient.salt : "";
    var candidates = normal === email ? [normal] : [normal, email];
    return Promise.all(candidates.map(function (candidate) {
      return crypto.subtle.digest("SHA-256", new TextEncoder().encode(candidate + salt)).then(hex);
    })).then(function (hashes) { return hashes.indexOf(digest) >= 0; }, function () { return null; });
  }

  window.SitegenChecks = {checkAward: checkAward, checkInput: checkInput, checkRecipient: checkRecipient};
})();
