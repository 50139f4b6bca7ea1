/* sitegen pages: check badges in the browser (award pages and verify.html). Loaded after site.js, whose
   window.Sitegen gives the messages and the date format. Every page is complete without it. */
(function () {
  "use strict";

  var OB2_NS = "http://openbadges.org";
  var OB3_NS = "https://purl.imsglobal.org/ob/v3p0";
  var message = window.Sitegen.message;
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

  function checkAwardPage(panel) {
    show(panel, "checking");
    var assertion = new URL(panel.getAttribute("data-assertion"), location.href).href;
    var site = assertion.replace(/assertions\/[^\/]*$/, "");
    var checks = [checkAssertion(assertion)];
    var credential = panel.getAttribute("data-credential");
    if (credential) {
      var credentialUrl = new URL(credential, location.href).href;
      checks.push(fetchBound(credentialUrl, "credential").then(function (got) {
        return got.doc ? checkCredential(got.doc, site) : got;
      }, function (error) { return {state: "unverifiable", detail: String(error.message || error)}; }));
    }
    Promise.all(checks).then(function (results) {
      var result = results.reduce(worst);
      show(panel, result.state, result.detail);
      // An expired badge is not offered for a profile any more.
      document.querySelectorAll("[data-while-valid]").forEach(function (node) {
        node.hidden = result.state === "expired" || result.state === "revoked";
      });
    });
  }

  /* --- the verify page: unbake in the browser --------------------------------------------------- */

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

  function checkFile(file, panel) {
    show(panel, "checking");
    var site = panel.getAttribute("data-site");
    file.arrayBuffer().then(function (buffer) {
      var bytes = new Uint8Array(buffer);
      if (bytes[0] === 0x89 && bytes[1] === 0x50) { return readPng(bytes); }
      return readSvg(new TextDecoder().decode(bytes));
    }).then(function (found) { return checkBaked(found, site); })
      .catch(function (error) { return {state: "invalid", detail: String(error.message || error)}; })
      .then(function (result) { show(panel, result.state, result.detail); });
  }

  function checkUrl(url, panel) {
    var site = panel.getAttribute("data-site");
    show(panel, "checking");
    if (!onSite(url, site)) {
      show(panel, "elsewhere", url);
      return;
    }
    var path = url.split(/[?#]/)[0];
    // An award's page in the other language (award_pages: every_language) has the same badge data.
    path = site + path.slice(site.length).replace(/^(?:ja|en)\/(assertions\/)/, "$1");
    if (/\.(png|svg)$/i.test(path)) {
      fetch(path).then(function (r) { return r.blob(); }).then(function (blob) { checkFile(blob, panel); },
        function (error) { show(panel, "unverifiable", String(error.message || error)); });
      return;
    }
    var jsonUrl = path.replace(/\.html$/, ".json").replace(/\/assertions\/([0-9a-f-]{36})$/, "/assertions/$1.json");
    if (jsonUrl.indexOf("/credentials/") >= 0) {
      fetchBound(jsonUrl, "credential").then(function (got) {
        return got.doc ? checkCredential(got.doc, site) : got;
      }, function (error) { return {state: "unverifiable", detail: String(error.message || error)}; })
        .then(function (result) { show(panel, result.state, result.detail); });
      return;
    }
    checkAssertion(jsonUrl).then(function (result) { show(panel, result.state, result.detail); });
  }

  function setUpVerifyTool(panel) {
    document.querySelectorAll("[data-verify-controls]").forEach(function (n) { n.hidden = false; });
    var input = document.getElementById("badge-file");
    input.addEventListener("change", function () { if (input.files[0]) { checkFile(input.files[0], panel); } });
    var zone = document.querySelector("[data-drop-zone]");
    zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      if (event.dataTransfer.files[0]) { checkFile(event.dataTransfer.files[0], panel); }
    });
    document.querySelector("[data-verify-url-form]").addEventListener("submit", function (event) {
      event.preventDefault();
      checkUrl(document.getElementById("badge-url").value.trim(), panel);
    });
  }

  window.SitegenVerify = {checkAwardPage: checkAwardPage};

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.querySelector(".verify-panel[data-assertion]");
    if (panel) { checkAwardPage(panel); }
    var tool = document.querySelector("[data-verify-tool]");
    if (tool) { setUpVerifyTool(tool); }
  });
})();
