/* sitegen pages: check badges in the browser, copy buttons, and the language switch of award pages.
   Everything here is an addition: every page is complete and readable without JavaScript. */
(function () {
  "use strict";

  var OB2_NS = "http://openbadges.org";
  var OB3_NS = "https://purl.imsglobal.org/ob/v3p0";

  function message(state) {
    var template = document.getElementById("verify-messages");
    var node = template && template.content.querySelector('[data-state="' + state + '"]');
    return node ? node.textContent : state;
  }

  function show(panel, state, detail) {
    var result = panel.querySelector(".verify-result");
    result.textContent = message(state);
    panel.setAttribute("data-state", state);
    panel.querySelector(".verify-detail").textContent = detail || "";
    var now = new Date();
    panel.querySelector(".verify-time").textContent = state === "checking" ? "" :
      message("checked") + " " + now.toLocaleString(document.documentElement.lang);
  }

  function formatDay(iso) {
    var m = /^(\d{4})-(\d\d)-(\d\d)/.exec(iso || "");
    if (!m) { return iso || ""; }
    var day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return new Intl.DateTimeFormat(document.documentElement.lang, {dateStyle: "long", timeZone: "UTC"}).format(day);
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

  function gunzip(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
  }

  function base64urlBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  // An Open Badges 3.0 credential: its dates and its status list bit. (The signature is for wallets and
  // `sitegen verify`; a browser cannot canonicalise JSON-LD without a large library.)
  function checkCredential(doc) {
    if (doc.validUntil && Date.parse(doc.validUntil) < Date.now()) {
      return Promise.resolve({state: "expired", detail: formatDay(doc.validUntil)});
    }
    var status = doc.credentialStatus;
    if (status && status.type === "1EdTechRevocationList") {
      return fetchJson(status.id).then(function (got) {
        if (got.missing) { return {state: "unverifiable", detail: status.id}; }
        var entries = [].concat(got.data.revokedCredential || [], got.data.revokedCredentials || []);
        var entry = entries.filter(function (e) { return e && e.id === doc.id && e.revoked !== false; })[0];
        return entry ? {state: "revoked", detail: entry.revocationReason || ""} : {state: "valid", detail: ""};
      }).catch(function (error) { return {state: "unverifiable", detail: String(error.message || error)}; });
    }
    if (!status || !status.statusListCredential || !window.DecompressionStream) {
      return Promise.resolve({state: "valid", detail: ""});
    }
    return fetchJson(status.statusListCredential).then(function (got) {
      if (got.missing) { return {state: "unverifiable", detail: status.statusListCredential}; }
      var encoded = got.data.credentialSubject.encodedList;
      return gunzip(base64urlBytes(encoded.slice(1))).then(function (bits) {
        var index = parseInt(status.statusListIndex, 10);
        var set = bits[index >> 3] & (0x80 >> (index % 8));
        return set ? {state: "revoked", detail: ""} : {state: "valid", detail: ""};
      });
    }).catch(function (error) { return {state: "unverifiable", detail: String(error.message || error)}; });
  }

  function worst(a, b) {
    var order = ["invalid", "revoked", "expired", "unverifiable", "valid"];
    return order.indexOf(a.state) <= order.indexOf(b.state) ? a : b;
  }

  function checkAwardPage(panel) {
    show(panel, "checking");
    var checks = [checkAssertion(panel.getAttribute("data-assertion"))];
    var credential = panel.getAttribute("data-credential");
    if (credential) {
      checks.push(fetchJson(new URL(credential, location.href).href).then(function (got) {
        return got.missing ? {state: "invalid", detail: credential} : checkCredential(got.data);
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
        return fetchJson(doc.id).then(function (got) {
          // The copy in hand is only trusted to find the published one.
          return got.missing ? {state: "invalid", detail: doc.id} : checkCredential(got.data);
        }, function (error) { return {state: "unverifiable", detail: String(error.message || error)}; });
      }
      return checkAssertion(doc.id);
    }
    if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(text)) {  // a signed (JWS) OB 2.0 assertion
      var payload = JSON.parse(new TextDecoder().decode(base64urlBytes(text.split(".")[1])));
      var id = String(payload.id || "").replace("urn:uuid:", "");
      return checkAssertion(site + "assertions/" + id + ".json");
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
    if (/\.(png|svg)$/i.test(path)) {
      fetch(path).then(function (r) { return r.blob(); }).then(function (blob) { checkFile(blob, panel); },
        function (error) { show(panel, "unverifiable", String(error.message || error)); });
      return;
    }
    var jsonUrl = path.replace(/\.html$/, ".json").replace(/\/assertions\/([0-9a-f-]{36})$/, "/assertions/$1.json");
    if (jsonUrl.indexOf("/credentials/") >= 0) {
      fetchJson(jsonUrl).then(function (got) {
        return got.missing ? {state: "invalid", detail: jsonUrl} : checkCredential(got.data);
      }, function (error) { return {state: "unverifiable", detail: String(error.message || error)}; })
        .then(function (result) { show(panel, result.state, result.detail); });
      return;
    }
    checkAssertion(jsonUrl).then(function (result) { show(panel, result.state, result.detail); });
  }

  function setUpVerifyTool(panel) {
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

  /* --- copy buttons ----------------------------------------------------------------------------- */

  function setUpCopy(button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      field.select();
      var done = function () {
        var label = button.textContent;
        button.textContent = message("copied");
        setTimeout(function () { button.textContent = label; }, 1500);
      };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  }

  /* --- the language switch of award pages --------------------------------------------------------- */

  function switchLanguage(lang, link) {
    var root = document.querySelector('link[rel="stylesheet"]').getAttribute("href").replace(/assets\/site\.css$/, "");
    return fetch(root + "assets/i18n/" + lang + ".json").then(function (r) { return r.json(); }).then(function (pack) {
      var award = document.querySelector("[data-badge]");
      var badge = pack.badges[award.getAttribute("data-badge")];
      var issuer = pack.issuers[award.getAttribute("data-issuer")];
      var translate = function (node) {
        var key = node.getAttribute("data-t");
        node.textContent = pack.ui[key] || key;
      };
      document.querySelectorAll("[data-t]").forEach(translate);
      var messages = document.getElementById("verify-messages");
      if (messages) { messages.content.querySelectorAll("[data-t]").forEach(translate); }
      document.querySelectorAll('[data-field="site"]').forEach(function (n) { n.textContent = pack.site; });
      document.querySelectorAll('[data-field="name"]').forEach(function (n) { n.textContent = badge.name; });
      document.querySelectorAll('[data-field="issuer"]').forEach(function (n) { n.textContent = issuer.name; });
      document.querySelectorAll('[data-field="caption"]').forEach(function (n) { n.setAttribute("alt", badge.caption); });
      // Sanitised at build time (the same HTML as the badge page in that language).
      document.querySelectorAll('[data-field="description"]').forEach(function (n) { n.innerHTML = badge.description; });
      document.querySelectorAll('[data-field="criteria"]').forEach(function (n) { n.innerHTML = badge.criteria; });
      // What the reader copies to LinkedIn or another page follows the language too.
      document.querySelectorAll('[data-field="linkedin"]').forEach(function (n) {
        var link = new URL(n.getAttribute("href"));
        link.searchParams.set("name", badge.name);
        link.searchParams.set("organizationName", issuer.name);
        n.setAttribute("href", link.href);
      });
      document.querySelectorAll('[data-field="embed"]').forEach(function (n) {
        var alt = (badge.name + " – " + issuer.name).replace(/&/g, "&amp;").replace(/"/g, "&quot;")
          .replace(/</g, "&lt;").replace(/>/g, "&gt;");
        n.value = n.value.replace(/ alt="[^"]*"/, function () { return ' alt="' + alt + '"'; });
      });
      var from = document.documentElement.lang;
      document.documentElement.lang = lang;
      document.querySelectorAll("time[datetime]").forEach(function (n) { n.textContent = formatDay(n.getAttribute("datetime")); });
      document.title = badge.name + " – " + issuer.name;
      // The switch now leads back to the page's own language.
      link.setAttribute("lang", from);
      link.setAttribute("hreflang", from);
      link.setAttribute("data-lang-switch", from);
      link.setAttribute("href", "?lang=" + from);
      link.textContent = link.getAttribute("data-lang-label");
      link.setAttribute("data-lang-label", pack.lang === "ja" ? "日本語" : "English");
      var panel = document.querySelector(".verify-panel[data-assertion]");
      if (panel) { checkAwardPage(panel); }
    });
  }

  function setUpLanguageSwitch(link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var lang = link.getAttribute("data-lang-switch");
      history.replaceState(null, "", "?lang=" + lang);
      switchLanguage(lang, link);
    });
    var wanted = new URLSearchParams(location.search).get("lang");
    if (wanted && wanted === link.getAttribute("data-lang-switch")) { switchLanguage(wanted, link); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.copy").forEach(setUpCopy);
    document.querySelectorAll("[data-lang-switch]").forEach(setUpLanguageSwitch);
    var panel = document.querySelector(".verify-panel[data-assertion]");
    if (panel) { checkAwardPage(panel); }
    var tool = document.querySelector("[data-verify-tool]");
    if (tool) { setUpVerifyTool(tool); }
  });
})();
