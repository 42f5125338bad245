/* A form sent back with errors: its summary takes the focus, so keyboard and screen-reader users
   land on the list of what to fix (each item links to its field). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary[tabindex]");
    if (summary) { summary.focus(); }
  });
})();
