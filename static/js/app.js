/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Confirm destructive actions that also have a server-side confirmation step.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // Submitting the language form as soon as a language is picked.
  var lang = document.getElementById("lang-select");
  if (lang) { lang.addEventListener("change", function () { lang.form.submit(); }); }
})();
