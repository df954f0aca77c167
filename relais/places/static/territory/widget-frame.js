/* Relais widget, inside its iframe: tells the embedding page (widget.js) the height of its content, so
 * that the frame grows to show every place and the last link. Sends a number only, nothing private. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "relais-widget-height", height: height }, "*");
  }
  send();
  window.addEventListener("load", send);
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  else window.addEventListener("resize", send);
})();
