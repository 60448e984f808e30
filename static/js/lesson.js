/* Lesson page: keep "Saya sudah membaca" disabled, with a visible countdown, until the
   minimum reading time has passed. Without this script the server refuses early presses
   and says how long to wait. */
(function () {
  "use strict";
  var button = document.getElementById("read-button");
  var countdown = document.getElementById("read-countdown");
  var status = document.getElementById("read-status");
  if (!button || !countdown || !status) { return; }
  var seconds = parseInt(button.getAttribute("data-wait-seconds"), 10) || 0;
  if (seconds <= 0) { return; }
  var template = button.getAttribute("data-countdown-text") || "{n}";
  // A deadline, not a counter: timers in background tabs run late.
  var deadline = Date.now() + seconds * 1000;
  button.disabled = true;

  function tick() {
    var remaining = deadline - Date.now();
    if (remaining <= 0) {
      button.disabled = false;
      countdown.textContent = "";
      status.textContent = button.getAttribute("data-ready-text") || "";  // announced once
      return;
    }
    countdown.textContent = template.replace("{n}", String(Math.ceil(remaining / 1000)));
    window.setTimeout(tick, remaining % 1000 || 1000);
  }
  tick();
})();
