/* Meeting mode: one slide at a time. → ↓ PageDown Space: next; ← ↑ PageUp: back; Home/End;
 * T: dark/light; P: pause the timer; F: full screen. A timer (data-interval seconds) advances
 * the slides and starts again at the first. No network. */
(function () {
  "use strict";
  var screen = document.querySelector(".screen");
  if (!screen) return;
  var slides = Array.prototype.slice.call(screen.querySelectorAll(".slide"));
  var position = document.querySelector("[data-position]");
  var timerBar = document.querySelector("[data-timer]");
  var interval = parseInt(screen.getAttribute("data-interval") || "0", 10) * 1000;
  var current = 0;
  var paused = false;
  var started = Date.now();

  function show(index) {
    if (!slides.length) return;
    current = (index + slides.length) % slides.length;
    slides.forEach(function (slide, i) { slide.hidden = i !== current; });
    if (position) position.textContent = String(current + 1);
    started = Date.now();
  }

  function tick() {
    if (!interval || paused) { if (timerBar) timerBar.style.width = "0"; return; }
    var done = (Date.now() - started) / interval;
    if (done >= 1) { show(current + 1); done = 0; }
    if (timerBar) timerBar.style.width = (done * 100).toFixed(1) + "%";
  }

  document.addEventListener("keydown", function (event) {
    if (event.target && /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName)) return;
    var key = event.key;
    if (key === "ArrowRight" || key === "ArrowDown" || key === "PageDown" || key === " ") {
      show(current + 1);
    } else if (key === "ArrowLeft" || key === "ArrowUp" || key === "PageUp") {
      show(current - 1);
    } else if (key === "Home") {
      show(0);
    } else if (key === "End") {
      show(slides.length - 1);
    } else if (key === "t" || key === "T") {
      var root = document.documentElement;
      var theme = root.getAttribute("data-theme") === "light" ? "dark" : "light";
      root.setAttribute("data-theme", theme);
      var field = document.querySelector(".controls input[name=theme]");
      if (field) field.value = theme;
    } else if (key === "p" || key === "P") {
      paused = !paused;
      started = Date.now();
    } else if (key === "f" || key === "F") {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
    } else {
      return;
    }
    event.preventDefault();
  });

  var pick = document.querySelector("[data-pick]");
  if (pick) {
    pick.addEventListener("change", function () {
      var parts = pick.value.split("|");
      var form = pick.form;
      form.elements.race.value = parts[0];
      form.elements.period.value = parts[1];
      form.submit();
    });
  }
  show(0);
  window.setInterval(tick, 200);
})();
