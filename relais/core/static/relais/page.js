// Relais — behaviour shared by every page, with no third-party code.
// 1. On a narrow screen the main menu folds behind a « Menu » button (open without JavaScript).
// 2. After a search, the results come into view: the page moves to the element marked
//    `data-results-heading` and gives it the focus, so that screen readers start there too.
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 47.99rem)");

  function setUpMenu() {
    var button = document.querySelector(".menu-button");
    var menu = document.getElementById("menu-principal");
    if (!button || !menu) return;
    function apply() {
      var narrow = NARROW.matches;
      button.hidden = !narrow;
      var open = !narrow || button.getAttribute("data-open") === "1";
      menu.hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      button.setAttribute("data-open", button.getAttribute("data-open") === "1" ? "0" : "1");
      apply();
      if (!menu.hidden) {
        var first = menu.querySelector("a, button, select");
        if (first) first.focus();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && NARROW.matches && !menu.hidden) {
        button.setAttribute("data-open", "0");
        apply();
        button.focus();
      }
    });
    if (NARROW.addEventListener) NARROW.addEventListener("change", apply);
    apply();
  }

  function showResults() {
    var heading = document.querySelector("[data-results-heading]");
    if (!heading || !window.location.search) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: "start" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    showResults();
  });
})();
