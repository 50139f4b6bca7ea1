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

  // Without the words (an award page whose language pack could not be fetched) a label is its key, not blank.
  function word(key) { return phrase("verify-messages", "data-word", key) || key; }
  function reasonWords(key) { return key ? phrase("verify-reasons", "data-reason", key) : ""; }

  // The date and time of a check as the page writes dates, with the time zone it was read in.
  function formatMoment(moment) {
    return new Intl.DateTimeFormat(document.documentElement.lang, {
      year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short"
    }).format(moment);
  }

  /* --- building blocks -------------------------------------------------------------------------- */

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content) { node.textContent = content; }
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

  // "why (detail)": the reason in words, then the untranslated specifics (a date as the page writes dates).
  function explanation(reason, detail) {
    var words = reasonWords(reason), specifics = text(detail);
    if (/^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:\d\d)?)?$/.test(specifics)) { specifics = formatDay(specifics); }
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

  // An award page's panel gets its details and the recipient's email check from the language pack
  // (_award_parts.html), once; without the pack, the details alone, so that a result is still shown.
  function ensureParts(panel) {
    if (panel.querySelector(".verify-body")) { return; }
    var words = window.Sitegen.part ? window.Sitegen.part("verify") : null;
    if (!words) {
      words = element("div");
      words.appendChild(element("p", "verify-detail"));
      var body = words.appendChild(element("div", "verify-body"));
      body.hidden = true;
      body.appendChild(element("div", "verify-badge")).hidden = true;
      body.appendChild(element("div", "verify-checks-box")).appendChild(element("ul", "verify-checks"));
      words.appendChild(element("p", "verify-time"));
    }
    while (words.firstChild) { panel.appendChild(words.firstChild); }
    if (panel.querySelector("[data-verify-recipient]")) { setUpRecipient(panel); }
  }

  // A new check's number, so that a slower earlier check cannot overwrite a later one's result.
  function nextRun(panel) {
    var run = String(Number(panel.getAttribute("data-run") || 0) + 1);
    panel.setAttribute("data-run", run);
    return run;
  }

  // A new check begins: nothing of the previous result stays on screen. Returns the run's number.
  function begin(panel) {
    var run = nextRun(panel);
    clear(panel);
    return run;
  }

  function clear(panel) {
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
    if (p.recipient) {
      p.recipient.hidden = true;
      p.recipient.querySelector(".verify-recipient-result").textContent = "";
    }
    p.time.textContent = "";
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
    words.appendChild(element("span", "verify-outcome", phrase("verify-messages", "data-outcome", outcome) || outcome));
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
      // The headline says it already (no badge in the image; expired: the expiry line gives the date).
      p.detail.textContent = why === p.result.textContent || state === "expired" ? "" : why;
    }
    var checks = Array.isArray(report.checks) ? report.checks : [];
    checks.forEach(function (check) { if (check && typeof check === "object") { p.checks.appendChild(checkLine(check)); } });
    if (badge) { badgeCard(p.badge, badge); }
    p.body.hidden = !checks.length && !badge;
    if (p.recipient) { p.recipient.hidden = !(badge && badge.recipient); }
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
    var run = nextRun(panel);
    var assertionUrl = new URL(panel.getAttribute("data-assertion"), location.href).href;
    var credential = panel.getAttribute("data-credential");
    var request = {
      assertionUrl: assertionUrl,
      credentialUrl: credential ? new URL(credential, location.href).href : null,
      site: assertionUrl.replace(/assertions\/[^\/]*$/, "")
    };
    var checking;
    try { checking = window.SitegenChecks.checkAward(request); } catch (error) { checking = Promise.reject(error); }
    var reported = checking.then(null, failedToRun);  // handled at once, not only once the words are here
    // The words come from the language pack, fetched meanwhile; until they are here the page's own text stays.
    // Without them (the pack could not be fetched) the result is still shown.
    // (A theme's own older site.js has no words(): its award.html then carries the words inline.)
    var lang = document.documentElement.lang;
    var wordsReady = window.Sitegen.words ? window.Sitegen.words(lang).then(null, function () {}) : Promise.resolve();
    return wordsReady.then(function () {
      if (panel.getAttribute("data-run") !== run) { return null; }  // a newer check started meanwhile
      ensureParts(panel);
      clear(panel);
      return reported;
    }).then(function (report) {
      if (!report || panel.getAttribute("data-run") !== run) { return; }
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
      // (A theme's own award.html may still carry the form; sitegen's comes with the language pack.)
      if (panel.querySelector("[data-verify-recipient]")) { setUpRecipient(panel); }
      checkAwardPage(panel);
    }
    var tool = document.querySelector(".verify-panel[data-verify-tool]");
    if (tool) {
      setUpRecipient(tool);
      setUpVerifyTool(tool);
    }
  });
})();
