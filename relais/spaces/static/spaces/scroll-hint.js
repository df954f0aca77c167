// A table of slots wider than its scrolling box (a week on a phone) says so: the hint named by the box's
// data-scroll-hint is shown while the box overflows, and the box gets a shadow on the side that hides more
// columns. Without script the table still scrolls; the hint simply stays hidden.
(function () {
  function update(box) {
    var hint = document.getElementById(box.getAttribute("data-scroll-hint"));
    var overflows = box.scrollWidth > box.clientWidth + 1;
    var atEnd = box.scrollLeft + box.clientWidth >= box.scrollWidth - 1;
    if (hint) hint.hidden = !overflows;
    box.classList.toggle("overflows-right", overflows && !atEnd);
    box.classList.toggle("overflows-left", overflows && box.scrollLeft > 0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-scroll-hint]");
    function all() {
      boxes.forEach(update);
    }
    boxes.forEach(function (box) {
      box.addEventListener("scroll", function () {
        update(box);
      });
    });
    window.addEventListener("resize", all);
    all();
  });
})();
