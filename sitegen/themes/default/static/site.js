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


  function formatDay(iso) {
    var m = /^(\d{4})-(\d\d)-(\d\d)/.exec(iso || "");
    if (!m) { return iso || ""; }
    var day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return new Intl.DateTimeFormat(document.documentElement.lang, {dateStyle: "long", timeZone: "UTC"}).format(day);
  }

  /* --- language packs and the verification words ----------------------------------------------------
     verify.html carries its words (<template id="verify-messages"> and "verify-reasons") inline; award pages
     load them from the language pack, assets/i18n/<lang>.json: cached once for every award page of the site. */

  var pageLang = document.documentElement.lang;  // the language the page was built in
  var LANGUAGE_NAMES = {ja: "日本語", en: "English"};  // the language switch's words (i18n.LANGUAGE_NAMES)
  var packs = {};

  function siteRoot() {
    return document.querySelector('link[rel="stylesheet"]').getAttribute("href").replace(/assets\/site\.css$/, "");
  }

  // A language's pack, fetched at most once per page (a failed fetch may be tried again).
  function languagePack(lang) {
    if (!packs[lang]) {
      packs[lang] = fetch(siteRoot() + "assets/i18n/" + encodeURIComponent(lang) + ".json").then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      });
      packs[lang].then(null, function () { delete packs[lang]; });
    }
    return packs[lang];
  }

  // Puts the pack's <template>s (words, an award page's parts) in the page, replacing another language's. The pack
  // is this site's own build output (never data of a badge), parsed inside an inert <template>: nothing in it loads
  // or runs.
  function installWords(pack) {
    if (typeof pack.verify_words !== "string") { return; }
    var holder = document.createElement("template");
    holder.innerHTML = pack.verify_words + (typeof pack.award_parts === "string" ? pack.award_parts : "");
    ["verify-messages", "verify-reasons", "award-parts"].forEach(function (id) {
      var fresh = holder.content.querySelector('template[id="' + id + '"]');
      if (!fresh) { return; }
      fresh.setAttribute("data-lang", pack.lang);
      var old = document.getElementById(id);
      if (old) { old.parentNode.replaceChild(fresh, old); } else { document.body.appendChild(fresh); }
    });
  }

  // Resolves once the page has its verification words in `lang` (at once when it already has them).
  function words(lang) {
    var present = document.getElementById("verify-messages");
    if (present && (present.getAttribute("data-lang") || pageLang) === lang) { return Promise.resolve(); }
    return languagePack(lang).then(function (pack) {
      // Meanwhile the reader may have switched to another language: its words stay.
      if (document.documentElement.lang === lang) { installWords(pack); }
    });
  }

  // A part of an award page from the language pack (_award_parts.html), a fresh copy; null without the pack.
  function part(name) {
    var template = document.getElementById("award-parts");
    var node = template && template.content.querySelector('[data-part="' + name + '"]');
    return node ? document.importNode(node, true) : null;
  }

  // What verify.js (the checks) shares with this script.
  window.Sitegen = {message: message, formatDay: formatDay, words: words, part: part};

  /* --- copy buttons ----------------------------------------------------------------------------- */

  function setUpCopy(button) {
    button.hidden = false;  // shipped hidden: without the script it could not copy
    // "Copied" goes to a live region beside the button: announced, and the button keeps its label and focus.
    var said = document.createElement("span");
    said.className = "copied";
    said.setAttribute("role", "status");
    button.insertAdjacentElement("afterend", said);
    var timer = null;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      field.select();
      button.focus();
      var done = function () {
        words(document.documentElement.lang).then(null, function () {}).then(function () {
          said.textContent = message("copied");
          clearTimeout(timer);
          timer = setTimeout(function () { said.textContent = ""; }, 1500);
        });
      };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  }

  /* --- baking downloads in the browser (sites with `baking: browser`) -------------------------------
     The same splice as sitegen's bake.py, so the file is byte for byte what the build would have published:
     PNG: one uncompressed iTXt chunk right after IHDR; SVG: one element right after the <svg> start tag. */

  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) { c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1; }
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    var c = 0xFFFFFFFF;
    for (var i = 0; i < bytes.length; i++) { c = CRC_TABLE[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8); }
    return (c ^ 0xFFFFFFFF) >>> 0;
  }

  function bakePng(png, keyword, text) {
    var body = new TextEncoder().encode(text);
    var data = new Uint8Array(keyword.length + 5 + body.length);  // keyword, NUL, flag 0, method 0, NUL, NUL, text
    for (var i = 0; i < keyword.length; i++) { data[i] = keyword.charCodeAt(i); }
    data.set(body, keyword.length + 5);
    var chunk = new Uint8Array(12 + data.length);
    var view = new DataView(chunk.buffer);
    view.setUint32(0, data.length);
    chunk.set([0x69, 0x54, 0x58, 0x74], 4);  // "iTXt"
    chunk.set(data, 8);
    view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
    var ihdrEnd = 8 + 12 + 13;
    var out = new Uint8Array(png.length + chunk.length);
    out.set(png.subarray(0, ihdrEnd));
    out.set(chunk, ihdrEnd);
    out.set(png.subarray(ihdrEnd), ihdrEnd + chunk.length);
    return out;
  }

  function startTagEnd(svg) {
    var quote = null;
    for (var i = 4; i < svg.length; i++) {
      var c = svg[i];
      if (quote !== null) { if (c === quote) { quote = null; } }
      else if (c === '"' || c === "'") { quote = c; }
      else if (c === ">") { return i; }
    }
    return -1;
  }

  function escapeAttribute(value) {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function bakeSvg(svg, namespace, element, text, verify) {
    var end = startTagEnd(svg);
    var head = svg.slice(0, end);
    if (head.indexOf("xmlns:openbadges=") < 0) { head += ' xmlns:openbadges="' + namespace + '"'; }
    var attr = verify ? ' verify="' + escapeAttribute(verify) + '"' : "";
    var cdata = "<![CDATA[" + text.split("]]>").join("]]]]><![CDATA[>") + "]]>";
    return head + ">" + "<openbadges:" + element + attr + ">" + cdata + "</openbadges:" + element + ">" +
      svg.slice(end + 1);
  }

  function fetchOk(url, read) {
    // no-store: a download made just after a revocation must carry the revoked data, not a cached copy.
    return fetch(url, {cache: "no-store"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status + ": " + url); }
      return read(r);
    });
  }

  function bakeDownload(button) {
    var version = button.getAttribute("data-bake");
    var failed = button.parentNode.querySelector(".bake-failed");
    if (failed) { failed.remove(); }
    Promise.all([
      fetchOk(button.getAttribute("data-image"), function (r) { return r.arrayBuffer(); }),
      fetchOk(button.getAttribute("data-data"), function (r) { return r.text(); })
    ]).then(function (got) {
      var image = new Uint8Array(got[0]), text = got[1], blob;
      if (image[0] === 0x89 && image[1] === 0x50) {
        blob = new Blob([bakePng(image, version === "ob3" ? "openbadgecredential" : "openbadges", text)],
          {type: "image/png"});
      } else {
        var svg = new TextDecoder("utf-8").decode(image);
        var baked = version === "ob3" ? bakeSvg(svg, OB3_NS, "credential", text, null) :
          bakeSvg(svg, OB2_NS, "assertion", text, JSON.parse(text).id);
        blob = new Blob([baked], {type: "image/svg+xml"});
      }
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = button.getAttribute("data-filename");
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
    }).catch(function (error) {
      words(document.documentElement.lang).then(null, function () {}).then(function () {
        var note = document.createElement("span");
        note.className = "bake-failed";
        note.setAttribute("role", "alert");
        note.textContent = " " + message("bake-failed") + " (" + String(error.message || error) + ")";
        button.parentNode.appendChild(note);
      });
    });
  }

  /* --- the parts of an award page that only the script uses --------------------------------------
     They come with the language pack, not in each of 100,000 pages: a copy button beside each address to copy,
     and (baking: browser) a button before each JSON link that bakes it into the badge image. */

  function named(partName, key) {  // the part in the page's words, or its English words without the pack
    var node = part(partName);
    if (!node) {
      node = document.createElement(partName === "copy" ? "button" : "span");
      node.textContent = key;
      node.setAttribute("data-t", key);
    }
    node.removeAttribute("data-part");
    return node;
  }

  function addCopyButton(field) {
    var button = named("copy", "Copy");
    button.type = "button";
    button.className = "copy";
    button.setAttribute("data-copy", field.id);
    field.insertAdjacentElement("afterend", button);
    setUpCopy(button);
  }

  // The baked file's name, as the build names the files it bakes (render.baked_file_name): which badge, which
  // award, which standard, the badge image's kind.
  function bakedFileName(version, image) {
    var award = document.querySelector("article.award");
    var what = version === "ob3" ? "openbadges-3.0-credential" : "openbadges-2.0";
    return award.getAttribute("data-badge") + "-" + award.getAttribute("data-award").slice(0, 8) + "-" + what +
      "." + image.split(/[?#]/)[0].split(".").pop();
  }

  function addBakeButton(link) {
    var version = link.getAttribute("data-bake");
    var image = document.querySelector(".badge-image").getAttribute("src");
    var filename = link.getAttribute("data-filename") || bakedFileName(version, image);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.setAttribute("data-bake", version);
    button.setAttribute("data-image", image);
    button.setAttribute("data-data", link.getAttribute("href"));
    button.setAttribute("data-filename", filename);
    button.appendChild(named("bake-" + version, version === "ob3" ?
      "Badge image with the signed credential inside (Open Badges 3.0)" :
      "Badge image with the award inside (Open Badges 2.0)"));
    button.appendChild(document.createTextNode(", " + filename.split(".").pop().toUpperCase()));
    button.addEventListener("click", function () { bakeDownload(button); });
    var item = document.createElement("li");
    item.appendChild(button);
    link.parentNode.parentNode.insertBefore(item, link.parentNode);
  }

  // QR codes the page does not carry, drawn here: assets/vendor/qrcode.js (qrcode-generator, MIT), loaded once
  // when one is needed. One pixel per module in a 4-module quiet zone, as the build draws the page's own.
  var qrLibrary = null;

  function qrImage(url, label) {
    if (!qrLibrary) {
      qrLibrary = new Promise(function (resolve, reject) {
        if (window.qrcode) { resolve(window.qrcode); return; }
        var script = document.createElement("script");
        script.src = siteRoot() + "assets/vendor/qrcode.js";
        script.onload = function () { resolve(window.qrcode); };
        script.onerror = function () { qrLibrary = null; reject(new Error("assets/vendor/qrcode.js")); };
        document.head.appendChild(script);
      });
    }
    return qrLibrary.then(function (qrcode) {
      var code = qrcode(0, "M");
      code.addData(url);
      code.make();
      var img = document.createElement("img");
      img.className = "qr-code";
      img.src = code.createDataURL(1, 4);
      img.alt = label + ": " + url;
      return img;
    });
  }

  // A QR code put first in its figure (once it is drawn).
  function drawQr(figure, url, label) {
    qrImage(url, label).then(function (img) {
      var old = figure.querySelector("img.qr-code");
      if (old) { old.remove(); }
      figure.insertBefore(img, figure.firstChild);
    }, function () {});
  }

  // The wallet panel of an award with a signed credential, not revoked: its words from the pack, its address
  // as the build wrote the page's own (the canonical address's site), its QR code drawn here.
  function addWallet() {
    var panel = document.querySelector(".verify-panel[data-credential]");
    var award = document.querySelector("article.award");
    var wallet = panel && award.getAttribute("data-state") !== "revoked" && !document.querySelector(".panel.wallet") &&
      part("wallet");
    if (!wallet) { return; }
    wallet.removeAttribute("data-part");
    var canonical = document.querySelector('link[rel="canonical"]');
    var url = new URL(panel.getAttribute("data-credential"), canonical ? canonical.href : location.href).href;
    wallet.querySelector("#credential-link").setAttribute("value", url);
    document.querySelector("section.downloads").insertAdjacentElement("beforebegin", wallet);
    var figure = wallet.querySelector("figure.qr");
    drawQr(figure, url, figure.getAttribute("data-qr-label"));
  }

  // After the share panel's page link (from the pack: _award_parts.html), the page's own QR code, of its address
  // in the page's language, on the screen and on the printed certificate with its sentence. Without the script,
  // the address is printed under its label. In the words of the pack installed (a switched page's: its own).
  function addCheckHere() {
    var here = document.querySelector(".share .check-here");
    var pageLink = document.getElementById("page-link");
    if (here || !pageLink) { return here; }
    here = part("check-here");
    if (!here) { return null; }
    here.removeAttribute("data-part");
    var figure = here.querySelector("figure.qr");
    figure.setAttribute("data-lang-only", pageLang);
    figure.hidden = document.documentElement.lang !== pageLang;
    pageLink.parentNode.insertAdjacentElement("afterend", here);
    languagePack(pageLang).then(function (pack) { return pack.ui["QR code"]; }, function () {}).then(function (label) {
      drawQr(figure, pageLink.defaultValue, label || "QR code");
    });
    return here;
  }

  // Switched to another language: its address's QR code beside the page's own (shown by the language, as
  // data-lang-only says). The address printed is the page link's, which follows the language.
  function addLanguageQr(lang, url, label) {
    var here = addCheckHere();
    var own = here && here.querySelector("figure.qr[data-lang-only]");
    if (!own || !url || here.querySelector('figure.qr[data-lang-only="' + lang + '"]')) { return; }
    var figure = own.cloneNode(true);
    var ownCode = figure.querySelector("img.qr-code");
    if (ownCode) { ownCode.remove(); }
    figure.setAttribute("data-lang-only", lang);
    figure.hidden = true;
    own.insertAdjacentElement("afterend", figure);
    drawQr(figure, url, label);
  }

  // LinkedIn's "Add to profile" link: the page carries the badge's part (its name, its issuer); the award's own
  // fields are added from what the page shows, as the build's linkedin_url makes them (month numbers without a
  // leading zero, the page's address, the award's id).
  function completeLinkedIn() {
    var award = document.querySelector("article.award[data-award]");
    var pageLink = document.getElementById("page-link");
    if (!award || !pageLink) { return; }
    document.querySelectorAll('[data-field="linkedin"]').forEach(function (n) {
      var link = new URL(n.getAttribute("href"));
      if (link.searchParams.has("certId")) { return; }  // a theme's page that carries them all
      [["issue", "data-issued"], ["expiration", "data-expires"]].forEach(function (field) {
        var month = /^(\d{4})-(\d\d)$/.exec(award.getAttribute(field[1]) || "");
        if (month) {
          link.searchParams.set(field[0] + "Year", String(+month[1]));
          link.searchParams.set(field[0] + "Month", String(+month[2]));
        }
      });
      link.searchParams.set("certUrl", pageLink.defaultValue);
      link.searchParams.set("certId", award.getAttribute("data-award"));
      n.setAttribute("href", link.href);
    });
  }

  // LinkedIn's form's fields and the HTML to embed, after the share panel's QR code: the facts the page shows,
  // laid out for copying (the language switch keeps them in step, as data-field says).
  function addShareDetails() {
    var here = document.querySelector(".share .check-here");
    var fields = here && !document.getElementById("embed-code") && part("linkedin-fields");
    var embed = fields && part("embed");
    if (!embed) { return; }
    var award = document.querySelector("article.award");
    var name = document.querySelector('h1[data-field="name"]').textContent;
    var issuer = document.querySelector('.issued-by [data-field="issuer"]').textContent;
    var pageLink = document.getElementById("page-link");
    var fill = function (field, value) {
      fields.querySelectorAll('[data-field="' + field + '"], [data-fill="' + field + '"]').forEach(function (n) {
        n.textContent = value;
      });
    };
    fill("name", name);
    fill("issuer", issuer);
    fill("issued", award.getAttribute("data-issued"));
    fill("award", award.getAttribute("data-award"));
    fill("share-url", pageLink.value);
    if (award.hasAttribute("data-expires")) {
      fill("expires", award.getAttribute("data-expires"));
    } else {
      var row = fields.querySelector('[data-fill-row="expires"]');
      row.nextElementSibling.remove();
      row.remove();
    }
    var canonical = document.querySelector('link[rel="canonical"]');
    var image = new URL(document.querySelector(".badge-image").getAttribute("src"),
      canonical ? canonical.href : location.href).href;
    embed.querySelector("#embed-code").textContent = '<a href="' + escapeAttribute(pageLink.defaultValue) + '">' +
      '<img src="' + escapeAttribute(image) + '" alt="' + escapeAttribute(name + " – " + issuer) +
      '" width="120" height="120"></a>';
    [fields, embed].forEach(function (node) { node.removeAttribute("data-part"); });
    here.insertAdjacentElement("afterend", embed);
    here.insertAdjacentElement("afterend", fields);
  }

  // The badge's criteria, the same on every award page of the badge: from the page language's pack.
  function addCriteria() {
    var award = document.querySelector("article.award");
    languagePack(pageLang).then(function (pack) {
      var badge = pack.badges[award.getAttribute("data-badge")];
      if (!badge || document.documentElement.lang !== pageLang) { return; }  // switched: the switch filled them
      // Sanitised at build time (the same HTML as the badge page in that language).
      document.querySelectorAll('[data-field="criteria"]').forEach(function (n) { n.innerHTML = badge.criteria; });
    }, function () {});
  }

  function addAwardParts() {
    addCheckHere();
    addCriteria();
    addShareDetails();
    addWallet();
    document.querySelectorAll(".copy-row > input[readonly], .copy-row > textarea[readonly]").forEach(function (field) {
      if (!document.querySelector('button[data-copy="' + field.id + '"]')) { addCopyButton(field); }
    });
    document.querySelectorAll("a[data-bake]").forEach(addBakeButton);
  }

  /* --- the language switch of award pages --------------------------------------------------------- */

  // The msgid of words in the page's own language, for a bare data-t (the build leaves out a key the words name
  // by themselves): English words are their msgid; other words are looked up in the page language's pack.
  function keysOfPage() {
    if (pageLang === "en") { return Promise.resolve(function (words) { return words; }); }
    return languagePack(pageLang).then(function (pack) {
      var keys = {};
      Object.keys(pack.ui).forEach(function (key) {
        if (typeof pack.ui[key] === "string") { keys[pack.ui[key]] = key; }
      });
      return function (words) { return Object.prototype.hasOwnProperty.call(keys, words) ? keys[words] : words; };
    });
  }

  // The address to share of this page read in `lang`: a page switched by script is shared from another
  // language's view with ?lang=…, so that whoever opens the link reads it in that language too.
  function shareAddress(pageLink, lang) {
    return lang === pageLang ? pageLink.defaultValue : pageLink.defaultValue + "?lang=" + encodeURIComponent(lang);
  }

  function switchLanguage(lang, link) {
    return Promise.all([languagePack(lang), keysOfPage()]).then(function (got) {
      var pack = got[0], keyOf = got[1];
      var award = document.querySelector("[data-badge]");
      var badge = pack.badges[award.getAttribute("data-badge")];
      var issuer = pack.issuers[award.getAttribute("data-issuer")];
      var translate = function (node) {
        var key = node.getAttribute("data-t");
        if (!key) {  // still in the page's own words: their msgid, kept for the next switch
          key = keyOf(node.textContent);
          node.setAttribute("data-t", key);
        }
        node.textContent = pack.ui[key] || key;
      };
      document.querySelectorAll("[data-t]").forEach(translate);
      // The verification words (states, checks, outcomes, reasons) follow as a whole.
      installWords(pack);
      document.querySelectorAll('[data-field="site"]').forEach(function (n) { n.textContent = pack.site; });
      document.querySelectorAll('[data-field="name"]').forEach(function (n) { n.textContent = badge.name; });
      document.querySelectorAll('[data-field="issuer"]').forEach(function (n) { n.textContent = issuer.name; });
      document.querySelectorAll('[data-field="caption"]').forEach(function (n) { n.setAttribute("alt", badge.caption); });
      // Sanitised at build time (the same HTML as the badge page in that language).
      document.querySelectorAll('[data-field="description"]').forEach(function (n) { n.innerHTML = badge.description; });
      document.querySelectorAll('[data-field="criteria"]').forEach(function (n) { n.innerHTML = badge.criteria; });
      // What the reader copies to LinkedIn or another page follows the language too, and so does the address
      // shared: from another language's view it carries ?lang=… (shareAddress, QR codes included).
      var pageLink = document.getElementById("page-link");
      var shareUrl = pageLink ? shareAddress(pageLink, lang) : null;
      if (pageLink) { pageLink.value = shareUrl; }
      addLanguageQr(lang, shareUrl, pack.ui["QR code"] || "QR code");
      document.querySelectorAll('[data-field="share-url"]').forEach(function (n) { n.textContent = shareUrl; });
      document.querySelectorAll("[data-lang-only]").forEach(function (n) {
        n.hidden = n.getAttribute("data-lang-only") !== lang;
      });
      document.querySelectorAll('[data-field="linkedin"]').forEach(function (n) {
        var link = new URL(n.getAttribute("href"));
        link.searchParams.set("name", badge.name);
        // An issuer named by its LinkedIn organization id keeps it: LinkedIn shows its own name and logo.
        if (link.searchParams.has("organizationName")) { link.searchParams.set("organizationName", issuer.name); }
        if (shareUrl) { link.searchParams.set("certUrl", shareUrl); }
        n.setAttribute("href", link.href);
      });
      document.querySelectorAll('[data-field="embed"]').forEach(function (n) {
        var alt = (badge.name + " – " + issuer.name).replace(/&/g, "&amp;").replace(/"/g, "&quot;")
          .replace(/</g, "&lt;").replace(/>/g, "&gt;");
        n.value = n.value.replace(/ alt="[^"]*"/, function () { return ' alt="' + alt + '"'; });
      });
      document.querySelectorAll("[data-text-" + lang + "]").forEach(function (n) {
        n.textContent = n.getAttribute("data-text-" + lang);
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
      link.textContent = LANGUAGE_NAMES[from] || from;
      var panel = document.querySelector(".verify-panel[data-assertion]");
      if (panel && window.SitegenVerify) { window.SitegenVerify.checkAwardPage(panel); }
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
    document.querySelectorAll("button[data-bake]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { bakeDownload(button); });
    });
    completeLinkedIn();  // before a switch to another language (?lang=…) sets its words in it
    document.querySelectorAll("[data-lang-switch]").forEach(setUpLanguageSwitch);
    if (document.querySelector("article.award")) {
      // In the page's own words (a failed fetch: in English rather than not at all).
      words(pageLang).then(null, function () {}).then(addAwardParts);
    }
    // ?lang=xx on a page that exists in that language as a page of its own: go there.
    var wanted = new URLSearchParams(location.search).get("lang");
    var other = wanted && !document.querySelector("[data-lang-switch]") &&
      document.querySelector('link[rel="alternate"][hreflang="' + wanted.replace(/[^a-z]/g, "") + '"]');
    if (other && wanted !== document.documentElement.lang) { location.replace(other.href); }
  });
})();
