/* sitegen pages: the checks of a badge in the browser (window.SitegenChecks), without any page layout:
   verify.js shows what they find. Loaded after site.js, before verify.js. */
(function () {
  "use strict";
  window.SitegenChecks = {};
})();
