/* Quiz cool-down after a failed attempt ([data-cooldown-seconds], quiz and result pages): the
   time left ticks down and, at zero, the retry button from <template data-cooldown-retry> is
   put on the page without a reload. Without this script the page states the time left and
   shows the retry button when it is reloaded after the cool-down; the server decides either
   way, so a clock that runs fast only earns a polite refusal. The lesson page uses it too: its
   "Saya sudah membaca" button ([data-cooldown-disable]) shows the minimum reading time left
   and stays disabled until it has passed. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-cooldown-seconds]");

  function describe(box, seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    if (minutes > 0) {
      return (box.getAttribute("data-format-minutes") || "{m}:{s}")
        .replace("{m}", String(minutes)).replace("{s}", String(rest));
    }
    return (box.getAttribute("data-format-seconds") || "{s}").replace("{s}", String(rest));
  }

  Array.prototype.forEach.call(boxes, function (box) {
    var seconds = parseInt(box.getAttribute("data-cooldown-seconds"), 10) || 0;
    var left = box.querySelector("[data-cooldown-left]");
    var waiting = box.querySelector("[data-cooldown-waiting]");
    var ready = box.querySelector("[data-cooldown-ready]");
    var retry = box.querySelector("template[data-cooldown-retry]");
    if (!left || !ready || !retry || !retry.content) { return; }
    var gated = box.querySelectorAll("[data-cooldown-disable]");
    // A deadline, not a counter: timers in background tabs and sleeping phones run late.
    var deadline = Date.now() + seconds * 1000;

    function gate(disabled) {
      Array.prototype.forEach.call(gated, function (element) { element.disabled = disabled; });
    }

    gate(seconds > 0);

    function tick() {
      var remaining = deadline - Date.now();
      if (remaining <= 0) {
        gate(false);
        if (waiting) { waiting.hidden = true; }
        ready.appendChild(document.importNode(retry.content, true));  // announced (aria-live)
        box.setAttribute("data-cooldown-done", "");
        return;
      }
      left.textContent = describe(box, Math.ceil(remaining / 1000));
      window.setTimeout(tick, remaining % 1000 || 1000);
    }
    tick();
  });
})();
