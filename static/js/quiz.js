/* Quiz page: keep the answers on this device while the participant works (weak connections),
   restore them after a reload, and hold the submission while the phone is offline.
   Result page: forget the stored answers of the attempt shown ([data-clear-attempt]).
   Without this script the quiz works the same, just without the safety net. */
(function () {
  "use strict";
  var VERSION = 1;          // bump if the stored shape changes; older copies are ignored
  var PREFIX = "quiz-attempt-";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  var store = null;
  try {
    store = window.localStorage;
    store.setItem(PREFIX + "probe", "1");
    store.removeItem(PREFIX + "probe");
  } catch (e) { store = null; }  // private mode or storage disabled: nothing to keep

  var done = document.querySelector("[data-clear-attempt]");
  if (done && store) {
    try { store.removeItem(PREFIX + done.getAttribute("data-clear-attempt")); } catch (e) { /* ignore */ }
  }

  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var key = PREFIX + form.getAttribute("data-attempt");
  var status = document.getElementById("autosave-status");
  var offline = document.getElementById("quiz-offline");
  var inputs = form.querySelectorAll("input[name^='q-']");

  function say(text) { if (status) { status.textContent = text || ""; } }

  function collect() {
    var answers = {};
    each(inputs, function (input) {
      if (!answers[input.name]) { answers[input.name] = []; }
      if (input.checked) { answers[input.name].push(input.value); }
    });
    return answers;
  }

  function save() {
    if (!store) { return false; }
    try {
      store.setItem(key, JSON.stringify({ v: VERSION, savedAt: new Date().toISOString(), answers: collect() }));
      return true;
    } catch (e) { return false; }
  }

  function restore() {
    if (!store) { return; }
    var data = null;
    try { data = JSON.parse(store.getItem(key) || "null"); } catch (e) { data = null; }
    if (!data || data.v !== VERSION || !data.answers || typeof data.answers !== "object") { return; }
    var any = false;
    each(inputs, function (input) {
      var values = data.answers[input.name];
      if (!Array.isArray(values)) { return; }
      input.checked = values.indexOf(input.value) !== -1;
      if (input.checked) { any = true; }
    });
    if (any) { say(form.getAttribute("data-restored-text")); }
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.name && event.target.name.indexOf("q-") === 0 && save()) {
      say(form.getAttribute("data-saved-text"));
    }
  });

  form.addEventListener("submit", function (event) {
    save();  // kept until the result page confirms the server has them
    if (navigator.onLine === false) {
      event.preventDefault();
      if (offline) {
        offline.textContent = form.getAttribute("data-offline-text");
        offline.hidden = false;
      }
    }
  });

  window.addEventListener("online", function () {
    if (offline && !offline.hidden) { offline.textContent = form.getAttribute("data-online-text"); }
  });

  restore();
})();
