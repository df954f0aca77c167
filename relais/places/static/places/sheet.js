// The "Imprimer" button of the orientation sheet: hidden without JavaScript (the browser's own print
// command still works), shown and wired here.
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
