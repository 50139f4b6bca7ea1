/* TEMPORARY, until checks.js has the checks: today's checks behind the SitegenChecks interface. */
(function () {
  "use strict";
  if (window.SitegenChecks && window.SitegenChecks.checkAward) { return; }
  var formatDay = window.Sitegen.formatDay;
  var OB2_NS = "http://openbadges.org";
  var OB3_NS = "https://purl.imsglobal.org/ob/v3p0";
  var formatDay = window.Sitegen.formatDay;

  function show(panel, state, detail) {
    var result = panel.querySelector(".verify-result");
    result.textContent = message(state);
    panel.setAttribute("data-state", state);
    panel.querySelector(".verify-detail").textContent = detail || "";
    var now = new Date();
    panel.querySelector(".verify-time").textContent = state === "checking" ? "" :
      message("checked") + " " + now.toLocaleString(document.documentElement.lang);
  }

  /* --- checks ----------------------------------------------------------------------------------- */

  function fetchJson(url) {
    return fetch(url, {cache: "no-store"}).then(function (response) {
      if (response.status === 404 || response.status === 410) {
        return {missing: true, status: response.status};
      }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json().then(function (data) { return {data: data}; });
    });
  }

  // An Open Badges 2.0 hosted assertion: it must exist at its own id, and be neither revoked nor expired.
  function checkAssertion(url) {
    var absolute = new URL(url, location.href).href;
    return fetchJson(absolute).then(function (got) {
      if (got.missing) { return {state: "invalid", detail: "HTTP " + got.status + ": " + absolute}; }
      var doc = got.data;
      if (doc.revoked === true) { return {state: "revoked", detail: doc.revocationReason || ""}; }
      if (doc.type !== "Assertion" || doc.id !== absolute) {
        return {state: "invalid", detail: absolute};
      }
      if (doc.expires && Date.parse(doc.expires) < Date.now()) {
        return {state: "expired", detail: formatDay(doc.expires)};
      }
      return {state: "valid", detail: ""};
    }, function (error) { return {state: "unverifiable", detail: String(error.message || error)}; });
  }

  // At most this many bytes of status bits (16 million entries): a list that inflates to more is refused.
  var MAX_STATUS_LIST_BYTES = 2 * 1024 * 1024;

  function gunzip(bytes) {
    var reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
    var parts = [], total = 0;
    function next() {
      return reader.read().then(function (step) {
        if (step.done) {
          var out = new Uint8Array(total), at = 0;
          parts.forEach(function (part) { out.set(part, at); at += part.length; });
          return out;
        }
        total += step.value.length;
        if (total > MAX_STATUS_LIST_BYTES) {
          reader.cancel();
          throw new Error("the status list inflates to more than 2 MB");
        }
        parts.push(step.value);
        return next();
      });
    }
    return next();
  }

  function base64urlBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  /* Every document is trusted only as the one it was fetched for: its id must be that URL. The same rules
     as `sitegen verify`, so that a page never calls valid what the command line refuses. */

  function fail(detail) { return {state: "invalid", detail: detail}; }

  function listOf(value) { return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]; }

  function idOf(value) { return value && typeof value === "object" ? value.id : value; }

  // Fetch a JSON document that must carry `url` as its id; resolves to the document, or to a result.
  function fetchBound(url, what) {
    return fetchJson(url).then(function (got) {
      if (got.missing) { return fail(what + ": HTTP " + got.status + " " + url); }
      if (!got.data || typeof got.data !== "object" || got.data.id !== url) {
        return fail(what + " at " + url + " is another document (its id is " + JSON.stringify(got.data && got.data.id) + ")");
      }
      return {doc: got.data};
    });
  }

  // Where a did:web DID's document lives, or null when the DID is not a plain did:web.
  function didWebUrl(did) {
    var m = /^did:web:([A-Za-z0-9.-]+(?:%3[Aa][0-9]+)?)((?::[A-Za-z0-9._~%!$&'()*+,;=@-]+)*)$/.exec(did || "");
    if (!m) { return null; }
    var segments = m[2] ? m[2].slice(1).split(":").map(decodeURIComponent) : [];
    if (segments.some(function (s) { return /[\/?#\\]/.test(s) || s === "." || s === ".."; })) { return null; }
    var host = decodeURIComponent(m[1]);
    return "https://" + host + "/" + (segments.length ? segments.join("/") + "/did.json" : ".well-known/did.json");
  }

  // The DID document of the issuer, fetched from this site (the page checks this site's badges only).
  function siteDidDocument(did, site) {
    var url = didWebUrl(did);
    if (!url) { return Promise.resolve(fail("the issuer " + did + " is not a did:web DID")); }
    var at = new URL(url), home = new URL(site);
    if (at.host !== home.host || at.pathname.indexOf(home.pathname) !== 0) {
      return Promise.resolve({state: "elsewhere", detail: did});
    }
    var local = new URL(at.pathname, home).href;  // the site's own scheme (http on a local preview)
    return fetchJson(local).then(function (got) {
      if (got.missing) { return fail("DID document: HTTP " + got.status + " " + local); }
      if (!got.data || got.data.id !== did) { return fail("the DID document at " + local + " is not the document of " + did); }
      return {doc: got.data};
    });
  }

  // A result when the document's proof is not made with a key of its issuer: a method under the issuer's
  // DID, listed by id in the assertionMethod of that DID's document; null when it is.
  function checkIssuerKey(doc, site) {
    var issuer = idOf(doc.issuer);
    var proof = listOf(doc.proof)[0];
    var vm = proof && proof.verificationMethod;
    if (typeof issuer !== "string" || typeof vm !== "string") { return Promise.resolve(fail("no issuer or no proof")); }
    var hash = vm.indexOf("#");
    if (hash < 0 || vm.slice(0, hash) !== issuer || !vm.slice(hash + 1) || vm.indexOf("#", hash + 1) >= 0) {
      return Promise.resolve(fail("the proof's key " + vm + " is not a key of the issuer " + issuer));
    }
    return siteDidDocument(issuer, site).then(function (got) {
      if (!got.doc) { return got; }
      var listed = listOf(got.doc.assertionMethod).filter(function (m) { return idOf(m) === vm; });
      if (!listed.length) { return fail(vm + " is not an assertionMethod of " + issuer); }
      var methods = listed.filter(function (m) { return typeof m === "object"; });
      if (!methods.length) {
        methods = listOf(got.doc.verificationMethod).filter(function (m) { return m && m.id === vm; });
      }
      if (methods.length !== 1 || methods[0].controller !== issuer) { return fail("the DID document does not define " + vm + " once, for " + issuer); }
      return null;
    });
  }

  // An Open Badges 3.0 credential: its issuer's key, its dates and its status. (The signature is for wallets
  // and `sitegen verify`; a browser cannot canonicalise JSON-LD without a large library.)
  function checkCredential(doc, site) {
    return checkIssuerKey(doc, site).then(function (problem) {
      if (problem) { return problem; }
      if (doc.validUntil && Date.parse(doc.validUntil) < Date.now()) {
        return {state: "expired", detail: formatDay(doc.validUntil)};
      }
      var statuses = listOf(doc.credentialStatus);
      return Promise.all(statuses.map(function (status) { return checkStatus(doc, status, site); }))
        .then(function (results) { return results.reduce(worst, {state: "valid", detail: ""}); });
    }).catch(function (error) { return {state: "unverifiable", detail: String(error.message || error)}; });
  }

  function checkStatus(doc, status, site) {
    var issuer = idOf(doc.issuer);
    var types = listOf(status && status.type);
    if (types.indexOf("1EdTechRevocationList") >= 0) {
      return fetchBound(status.id, "revocation list").then(function (got) {
        if (!got.doc) { return got; }
        if (idOf(got.doc.issuer) !== issuer) { return fail("the revocation list is another issuer's"); }
        var entries = [].concat(got.doc.revokedCredential || [], got.doc.revokedCredentials || []);
        var entry = entries.filter(function (e) { return e && e.id === doc.id && e.revoked !== false; })[0];
        return entry ? {state: "revoked", detail: entry.revocationReason || ""} : {state: "valid", detail: ""};
      });
    }
    var purpose = status && status.statusPurpose;
    if (types.indexOf("BitstringStatusListEntry") < 0 || (purpose !== "revocation" && purpose !== "suspension")) {
      return Promise.resolve(fail("a credentialStatus this page cannot check"));
    }
    if (!window.DecompressionStream) {
      return Promise.resolve({state: "unverifiable", detail: "this browser cannot read status lists"});
    }
    return fetchBound(status.statusListCredential, "status list").then(function (got) {
      if (!got.doc) { return got; }
      var list = got.doc, subject = list.credentialSubject || {};
      if (listOf(list.type).indexOf("BitstringStatusListCredential") < 0 || idOf(list.issuer) !== issuer ||
          subject.statusPurpose !== purpose) {
        return fail("the status list at " + list.id + " is not the issuer's list for " + purpose);
      }
      return checkIssuerKey(list, site).then(function (problem) {
        if (problem) { return problem; }
        return gunzip(base64urlBytes(String(subject.encodedList || "").slice(1))).then(function (bits) {
          var index = parseInt(status.statusListIndex, 10);
          if (!(index >= 0) || index >= bits.length * 8) { return fail("statusListIndex is outside the list"); }
          var set = bits[index >> 3] & (0x80 >> (index % 8));
          return set ? {state: "revoked", detail: purpose === "suspension" ? "suspended" : ""} : {state: "valid", detail: ""};
        }, function (error) { return fail("the status list cannot be read: " + (error.message || error)); });
      });
    });
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

  function withoutProof(doc) {
    var copy = {};
    Object.keys(doc).forEach(function (k) { if (k !== "proof") { copy[k] = doc[k]; } });
    return copy;
  }

  function pemBytes(pem) {
    var body = String(pem).replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
    var raw = atob(body), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  // An Open Badges 2.0 signed assertion (JWS): signed with a key its issuer's profile lists and that names the
  // profile as its owner, then the hosted assertion of the same award for its status.
  function checkJws(token, site) {
    var parts = token.split(".");
    var header = JSON.parse(new TextDecoder().decode(base64urlBytes(parts[0])));
    var payload = JSON.parse(new TextDecoder().decode(base64urlBytes(parts[1])));
    var creator = payload.verification && payload.verification.creator;
    var badgeUrl = idOf(payload.badge);
    var award = /^urn:uuid:([0-9a-f-]{36})$/.exec(String(payload.id));
    if (!onSite(badgeUrl, site)) { return Promise.resolve({state: "elsewhere", detail: String(badgeUrl)}); }
    if (header.alg !== "RS256" || !award || !onSite(creator, site)) {
      return Promise.resolve(fail("not a signed assertion of this site"));
    }
    if (!window.crypto || !crypto.subtle) {
      return Promise.resolve({state: "unverifiable", detail: "this browser cannot check signatures here"});
    }
    return Promise.all([fetchBound(creator, "key"), fetchBound(badgeUrl, "badge class")]).then(function (got) {
      var key = got[0].doc, badge = got[1].doc;
      if (!key) { return got[0]; }
      if (!badge) { return got[1]; }
      if (key.type !== "CryptographicKey" || badge.type !== "BadgeClass") { return fail("not a key and a badge class"); }
      return fetchBound(idOf(badge.issuer), "issuer").then(function (issuerGot) {
        var issuer = issuerGot.doc;
        if (!issuer) { return issuerGot; }
        if (listOf(issuer.publicKey).map(idOf).indexOf(creator) < 0) {
          return fail("the issuer does not list the key " + creator);
        }
        return ownerListsKey(key, issuer, creator).then(function (owned) {
          if (!owned) { return fail("the key " + creator + " is not owned by the issuer"); }
          return crypto.subtle.importKey("spki", pemBytes(key.publicKeyPem),
            {name: "RSASSA-PKCS1-v1_5", hash: "SHA-256"}, false, ["verify"]).then(function (publicKey) {
            return crypto.subtle.verify("RSASSA-PKCS1-v1_5", publicKey, base64urlBytes(parts[2]),
              new TextEncoder().encode(parts[0] + "." + parts[1]));
          }).then(function (good) {
            return good ? checkAssertion(site + "assertions/" + award[1] + ".json") :
              fail("the signature does not match");
          });
        });
      });
    });
  }

  // The key names the issuer as its owner; or (sitegen's one key of a site with several issuers) a profile
  // beside the issuer's that lists the key too.
  function ownerListsKey(key, issuer, creator) {
    if (key.owner === issuer.id) { return Promise.resolve(true); }
    var folder = function (url) { return String(url).replace(/\/[^\/]*$/, ""); };
    if (typeof key.owner !== "string" || folder(key.owner) !== folder(issuer.id)) { return Promise.resolve(false); }
    return fetchBound(key.owner, "key owner").then(function (got) {
      return !!got.doc && listOf(got.doc.publicKey).map(idOf).indexOf(creator) >= 0;
    });
  }

  function worst(a, b) {
    var order = ["invalid", "revoked", "expired", "unverifiable", "valid"];
    return order.indexOf(a.state) <= order.indexOf(b.state) ? a : b;
  }

  function readPng(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    var pos = 8, found = {};
    while (pos + 8 <= bytes.length) {
      var length = view.getUint32(pos);
      var type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
      var data = bytes.subarray(pos + 8, pos + 8 + length);
      if (type === "iTXt" || type === "tEXt") {
        var zero = data.indexOf(0);
        var keyword = new TextDecoder("latin1").decode(data.subarray(0, zero));
        if (keyword === "openbadges" || keyword === "openbadgecredential") {
          var text;
          if (type === "tEXt") {
            text = new TextDecoder("latin1").decode(data.subarray(zero + 1));
          } else {
            var rest = data.subarray(zero + 3);
            rest = rest.subarray(rest.indexOf(0) + 1);
            rest = rest.subarray(rest.indexOf(0) + 1);
            if (data[zero + 1] === 1) { return Promise.reject(new Error("compressed iTXt")); }
            text = new TextDecoder("utf-8").decode(rest);
          }
          if (!(keyword in found)) { found[keyword] = text; }
        }
      }
      if (type === "IEND") { break; }
      pos += 12 + length;
    }
    return Promise.resolve(found.openbadgecredential ? {ob3: found.openbadgecredential} :
      found.openbadges ? {ob2: found.openbadges} : null);
  }

  function readSvg(text) {
    var doc = new DOMParser().parseFromString(text, "image/svg+xml");
    var credential = doc.getElementsByTagNameNS(OB3_NS, "credential")[0];
    if (credential) { return {ob3: credential.textContent.trim() || credential.getAttribute("verify")}; }
    var assertion = doc.getElementsByTagNameNS(OB2_NS, "assertion")[0];
    if (assertion) { return {ob2: assertion.textContent.trim() || assertion.getAttribute("verify")}; }
    return null;
  }

  function checkBaked(found, site) {
    if (!found) { return Promise.resolve({state: "no-badge", detail: ""}); }
    var text = (found.ob3 || found.ob2).trim();
    if (text.charAt(0) === "{") {
      var doc = JSON.parse(text);
      var types = [].concat(doc.type);
      if (!onSite(doc.id, site)) { return Promise.resolve({state: "elsewhere", detail: doc.id}); }
      if (types.indexOf("OpenBadgeCredential") >= 0 || types.indexOf("AchievementCredential") >= 0) {
        // The browser cannot check the signature of the copy in hand: it must say what the published
        // credential at its id says, and be signed with a key of the issuer too.
        return fetchBound(doc.id, "credential").then(function (got) {
          if (!got.doc) { return got; }
          if (canonical(withoutProof(got.doc)) !== canonical(withoutProof(doc))) {
            return fail("the credential in this image differs from the one published at " + doc.id);
          }
          return checkIssuerKey(doc, site).then(function (problem) {
            return problem || checkCredential(got.doc, site);
          });
        }).catch(function (error) { return {state: "unverifiable", detail: String(error.message || error)}; });
      }
      return checkAssertion(doc.id);
    }
    if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(text)) {  // a signed (JWS) OB 2.0 assertion
      return checkJws(text, site).catch(function (error) {
        return {state: "unverifiable", detail: String(error.message || error)};
      });
    }
    return onSite(text, site) ? checkAssertion(text) : Promise.resolve({state: "elsewhere", detail: text});
  }

  function onSite(url, site) {
    return typeof url === "string" && url.indexOf(site) === 0;
  }


  function report(result) { return {state: result.state, reason: "", detail: result.detail || "", checks: [], badge: null}; }

  function checkAward(request) {
    var checks = [checkAssertion(request.assertionUrl)];
    if (request.credentialUrl) {
      checks.push(fetchBound(request.credentialUrl, "credential").then(function (got) {
        return got.doc ? checkCredential(got.doc, request.site) : got;
      }, function (error) { return {state: "unverifiable", detail: String(error.message || error)}; }));
    }
    return Promise.all(checks).then(function (results) { return report(results.reduce(worst)); });
  }

  function checkBytes(bytes, site) {
    var found = bytes[0] === 0x89 && bytes[1] === 0x50 ? readPng(bytes) : Promise.resolve(readSvg(new TextDecoder().decode(bytes)));
    return found.then(function (f) { return checkBaked(f, site); });
  }

  function checkInput(input, site) {
    var result;
    if (input.file) {
      result = input.file.arrayBuffer().then(function (buffer) { return checkBytes(new Uint8Array(buffer), site); });
    } else if (input.text) {
      result = checkBaked({ob2: input.text}, site);
    } else {
      var url = input.url;
      if (!onSite(url, site)) { return Promise.resolve(report({state: "elsewhere", detail: url})); }
      var path = url.split(/[?#]/)[0];
      path = site + path.slice(site.length).replace(/^(?:ja|en)\/(assertions\/)/, "$1");
      if (/\.(png|svg)$/i.test(path)) {
        result = fetch(path).then(function (r) { return r.arrayBuffer(); }).then(function (b) { return checkBytes(new Uint8Array(b), site); },
          function (error) { return {state: "unverifiable", detail: String(error.message || error)}; });
      } else {
        var jsonUrl = path.replace(/\.html$/, ".json").replace(/\/assertions\/([0-9a-f-]{36})$/, "/assertions/$1.json");
        result = jsonUrl.indexOf("/credentials/") >= 0 ? fetchBound(jsonUrl, "credential").then(function (got) {
          return got.doc ? checkCredential(got.doc, site) : got;
        }, function (error) { return {state: "unverifiable", detail: String(error.message || error)}; }) : checkAssertion(jsonUrl);
      }
    }
    return result.then(null, function (error) { return {state: "invalid", detail: String(error.message || error)}; }).then(report);
  }

  window.SitegenChecks = {checkAward: checkAward, checkInput: checkInput,
    checkRecipient: function () { return Promise.resolve(null); }};
})();
/* sitegen pages: what a verifier sees (award pages' verification panel and verify.html). The checks themselves
   are window.SitegenChecks (checks.js); this script only asks them and shows their report: the headline, each
   check by name with its outcome, the badge as its issuer's site publishes it, and the recipient's email check.
   Loaded after site.js (window.Sitegen: messages, dates) and checks.js. Every page is complete without it.
   Everything in a report comes from fetched or dropped-in data: text goes in with textContent, URLs only when
   they are http(s). */
(function () {
  "use strict";

  var message = window.Sitegen.message;
  var formatDay = window.Sitegen.formatDay;
  // Not colour alone: each outcome has its own sign, and its words beside it.
  var ICONS = {passed: "\u2713", failed: "\u2717", unverifiable: "?", skipped: "\u2013"};
  var STATES = ["valid", "invalid", "revoked", "expired", "unverifiable", "elsewhere", "no-badge", "unreadable"];

  /* --- words ------------------------------------------------------------------------------------ */

  // A phrase of _verify_messages.html (or of _verify_reasons.html), by its key; "" when there is none.
  function phrase(templateId, attribute, key) {
    var template = document.getElementById(templateId);
    var node = template && template.content.querySelector("[" + attribute + '="' + CSS.escape(String(key)) + '"]');
    return node ? node.textContent : "";
  }

  function word(key) { return phrase("verify-messages", "data-word", key); }
  function reasonWords(key) { return key ? phrase("verify-reasons", "data-reason", key) : ""; }

  // The date and time of a check as the page writes dates, with the time zone it was read in.
  function formatMoment(moment) {
    return new Intl.DateTimeFormat(document.documentElement.lang, {
      year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short"
    }).format(moment);
  }

  /* --- building blocks -------------------------------------------------------------------------- */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // An address from a report, or null unless it is http(s): a javascript: or data: URL never reaches a link.
  function webUrl(value) {
    if (typeof value !== "string" || !value) { return null; }
    try {
      var url = new URL(value, location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function text(value) { return typeof value === "string" ? value : ""; }

  // "why (detail)": the reason in words, then the untranslated specifics.
  function explanation(reason, detail) {
    var words = reasonWords(reason), specifics = text(detail);
    if (words && specifics) { return words + " (" + specifics + ")"; }
    return words || specifics;
  }

  /* --- the panel -------------------------------------------------------------------------------- */

  function parts(panel) {
    return {
      result: panel.querySelector(".verify-result"),
      detail: panel.querySelector(".verify-detail"),
      body: panel.querySelector(".verify-body"),
      checks: panel.querySelector(".verify-checks"),
      badge: panel.querySelector(".verify-badge"),
      recipient: panel.querySelector("[data-verify-recipient]"),
      time: panel.querySelector(".verify-time")
    };
  }

  // A new check begins: nothing of the previous result stays on screen. Returns the run's number, so that
  // a slower earlier check cannot overwrite a later one's result.
  function begin(panel) {
    var run = String(Number(panel.getAttribute("data-run") || 0) + 1);
    panel.setAttribute("data-run", run);
    panel.removeAttribute("data-award-state");  // the build's guess gives way to the script's result
    panel.setAttribute("data-state", "checking");
    panel.report = null;
    var p = parts(panel);
    p.result.textContent = message("checking");
    p.detail.textContent = "";
    p.checks.textContent = "";
    p.badge.textContent = "";
    p.badge.hidden = true;
    p.body.hidden = true;
    p.recipient.hidden = true;
    p.recipient.querySelector(".verify-recipient-result").textContent = "";
    p.time.textContent = "";
    return run;
  }

  function checkLine(check) {
    var outcome = ICONS.hasOwnProperty(check.outcome) ? check.outcome : "unverifiable";
    var item = element("li", "verify-check");
    item.setAttribute("data-check", text(check.name));
    item.setAttribute("data-outcome", outcome);
    var icon = element("span", "verify-icon", ICONS[outcome]);
    icon.setAttribute("aria-hidden", "true");
    item.appendChild(icon);
    var words = element("span", "verify-check-text");
    words.appendChild(element("span", "verify-check-name",
      phrase("verify-messages", "data-check", check.name) || text(check.name)));
    words.appendChild(document.createTextNode(": "));
    words.appendChild(element("span", "verify-outcome", phrase("verify-messages", "data-outcome", outcome)));
    var why = explanation(check.reason, check.detail);
    if (why) { words.appendChild(element("span", "verify-why", why)); }
    item.appendChild(words);
    return item;
  }

  function fact(list, key, value, datetime) {
    if (!value) { return; }
    list.appendChild(element("dt", "", word(key)));
    var dd = element("dd");
    if (datetime) {
      var time = element("time", "", value);
      time.setAttribute("datetime", datetime);
      dd.appendChild(time);
    } else {
      dd.textContent = value;
    }
    list.appendChild(dd);
  }

  // The badge as its issuer's site publishes it (never the image in hand: a forger controls that one).
  function badgeCard(card, badge) {
    var image = webUrl(badge.image);
    if (image) {
      var img = element("img", "verify-badge-image");
      img.setAttribute("src", image);
      img.setAttribute("alt", word("badge-image"));
      img.setAttribute("width", "120");
      img.setAttribute("height", "120");
      card.appendChild(img);
    }
    var about = element("div", "verify-badge-about");
    about.appendChild(element("h3", "verify-badge-name", text(badge.name)));
    var issuer = badge.issuer || {};
    var by = element("p", "verify-badge-issuer");
    var logo = webUrl(issuer.image);
    if (logo) {
      var logoImg = element("img", "verify-issuer-logo");
      logoImg.setAttribute("src", logo);
      logoImg.setAttribute("alt", word("issuer-logo"));
      by.appendChild(logoImg);
    }
    by.appendChild(element("span", "", word("issued-by") + " "));
    var issuerUrl = webUrl(issuer.url);
    var issuerName = element(issuerUrl ? "a" : "span", "", text(issuer.name) || text(issuer.url));
    if (issuerUrl) { issuerName.setAttribute("href", issuerUrl); }
    by.appendChild(issuerName);
    about.appendChild(by);
    var facts = element("dl", "facts");
    fact(facts, "awarded-to", text(badge.recipientName));
    fact(facts, "issued-on", formatDay(text(badge.issuedOn)), text(badge.issuedOn));
    fact(facts, "expires-on", badge.expires ? formatDay(text(badge.expires)) : "", text(badge.expires));
    if (facts.childNodes.length) { about.appendChild(facts); }
    var page = webUrl(badge.awardPage);
    if (page) {
      var link = element("a", "verify-badge-link", word("award-page"));
      link.setAttribute("href", page);
      var p = element("p");
      p.appendChild(link);
      about.appendChild(p);
    }
    card.appendChild(about);
    card.hidden = false;
  }

  function show(panel, run, report) {
    if (panel.getAttribute("data-run") !== run) { return; }  // a newer check started meanwhile
    report = report || {};
    var state = STATES.indexOf(report.state) >= 0 ? report.state : "unverifiable";
    var p = parts(panel);
    panel.report = report;
    panel.setAttribute("data-state", state);
    p.result.textContent = message(state);
    var badge = report.badge && typeof report.badge === "object" ? report.badge : null;
    if (state === "revoked") {
      // The issuer's reason, as it published it.
      var published = text(badge && badge.revocationReason) || text(report.detail);
      p.detail.textContent = published ? word("reason") + ": " + published : "";
    } else {
      var why = explanation(report.reason, report.detail);
      p.detail.textContent = why === p.result.textContent ? "" : why;  // no-badge says it in its headline
    }
    var checks = Array.isArray(report.checks) ? report.checks : [];
    checks.forEach(function (check) { if (check && typeof check === "object") { p.checks.appendChild(checkLine(check)); } });
    if (badge) { badgeCard(p.badge, badge); }
    p.body.hidden = !checks.length && !badge;
    p.recipient.hidden = !(badge && badge.recipient);
    p.time.textContent = message("checked") + " " + formatMoment(new Date());
  }

  // An engine that throws is a check that could not run: never "valid", and not a forgery either.
  function failedToRun(error) {
    return {state: "unverifiable", reason: "", detail: String((error && error.message) || error), checks: [], badge: null};
  }

  /* --- the recipient's email -------------------------------------------------------------------- */

  function setUpRecipient(panel) {
    var form = panel.querySelector("[data-verify-recipient]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var report = panel.report, run = panel.getAttribute("data-run");
      var said = form.querySelector(".verify-recipient-result");
      said.textContent = "";
      if (!report || !report.badge || !report.badge.recipient) { return; }
      var email = form.querySelector("input[type=email]").value;
      window.SitegenChecks.checkRecipient(report.badge.recipient, email).then(null, function () { return null; })
        .then(function (matches) {
          if (panel.report !== report || panel.getAttribute("data-run") !== run) { return; }
          var key = matches === true ? "recipient-match" : matches === false ? "recipient-no-match" : "recipient-unknown";
          said.textContent = word(key);
          said.setAttribute("data-match", matches === true ? "yes" : matches === false ? "no" : "unknown");
          var line = checkLine({name: "recipient", reason: "", detail: word(key),
            outcome: matches === true ? "passed" : matches === false ? "failed" : "unverifiable"});
          var list = panel.querySelector(".verify-checks");
          var old = list.querySelector('[data-check="recipient"]');
          if (old) { list.replaceChild(line, old); } else { list.appendChild(line); }
          panel.querySelector(".verify-body").hidden = false;
        });
    });
  }

  /* --- award pages ------------------------------------------------------------------------------ */

  function checkAwardPage(panel) {
    var run = begin(panel);
    var assertionUrl = new URL(panel.getAttribute("data-assertion"), location.href).href;
    var credential = panel.getAttribute("data-credential");
    var request = {
      assertionUrl: assertionUrl,
      credentialUrl: credential ? new URL(credential, location.href).href : null,
      site: assertionUrl.replace(/assertions\/[^\/]*$/, "")
    };
    var checking;
    try { checking = window.SitegenChecks.checkAward(request); } catch (error) { checking = Promise.reject(error); }
    return checking.then(null, failedToRun).then(function (report) {
      show(panel, run, report);
      // An expired, revoked or forged badge is not offered for a profile. Only ever hidden here: what the
      // build left out (an award expired when it was built) a failed fetch must not bring back.
      var state = panel.getAttribute("data-state");
      if (state !== "valid" && state !== "unverifiable") {
        document.querySelectorAll("[data-while-valid]").forEach(function (node) { node.hidden = true; });
      }
    });
  }

  /* --- verify.html ------------------------------------------------------------------------------ */

  function checkInput(panel, input) {
    var run = begin(panel);
    var checking;
    try { checking = window.SitegenChecks.checkInput(input, panel.getAttribute("data-site")); } catch (error) { checking = Promise.reject(error); }
    return checking.then(null, failedToRun).then(function (report) {
      show(panel, run, report);
      if (panel.getAttribute("data-run") !== run) { return; }
      // The result is below the inputs (far below on a phone): take the reader, and a screen reader's focus, to
      // its heading, with as much of the result in view as fits.
      var heading = panel.querySelector("h2");
      heading.focus({preventScroll: true});
      heading.scrollIntoView({block: "start"});
    });
  }

  function setUpVerifyTool(panel) {
    document.querySelectorAll("[data-verify-controls]").forEach(function (n) { n.hidden = false; });
    var file = document.getElementById("badge-file");
    // Choosing the same file again (after fixing the site, say) must check it again: no "change" otherwise.
    file.addEventListener("click", function () { file.value = ""; });
    file.addEventListener("change", function () {
      if (file.files[0]) { checkInput(panel, {file: file.files[0]}); }
    });
    var zone = document.querySelector("[data-drop-zone]");
    zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      var data = event.dataTransfer;
      var link = data.getData("text/uri-list").split(/\r?\n/).filter(function (l) { return l && l.charAt(0) !== "#"; })[0];
      if (data.files[0]) {
        checkInput(panel, {file: data.files[0]});
      } else if (link) {  // a link or an image dragged from another page
        document.getElementById("badge-url").value = link;
        checkInput(panel, {url: link});
      }
    });
    document.querySelector("[data-verify-url-form]").addEventListener("submit", function (event) {
      event.preventDefault();
      checkInput(panel, {url: document.getElementById("badge-url").value.trim()});
    });
    document.querySelector("[data-verify-text-form]").addEventListener("submit", function (event) {
      event.preventDefault();
      checkInput(panel, {text: document.getElementById("badge-text").value});
    });
  }

  window.SitegenVerify = {checkAwardPage: checkAwardPage};

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.querySelector(".verify-panel[data-assertion]");
    if (panel) {
      setUpRecipient(panel);
      checkAwardPage(panel);
    }
    var tool = document.querySelector(".verify-panel[data-verify-tool]");
    if (tool) {
      setUpRecipient(tool);
      setUpVerifyTool(tool);
    }
  });
})();
