/* Relais — the base of every map: tiles from the operator's tile server when one is configured,
 * otherwise the outline of the départements served by Relais itself (no third-party request).
 *
 * Usage: const map = Relais.baseMap(element); the element carries
 *   data-tile-url, data-tile-attribution (optional) and data-outline-url.
 */
(function () {
  "use strict";
  var Relais = (window.Relais = window.Relais || {});

  Relais.baseMap = function (element, options) {
    var map = L.map(element, Object.assign({ keyboard: true, zoomSnap: 0.5, minZoom: 4, maxZoom: 18 }, options || {}));
    map.setView([46.6, 2.4], 5.5);
    var tileUrl = element.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: element.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else if (element.dataset.outlineUrl) {
      element.classList.add("map-outline");
      fetch(element.dataset.outlineUrl, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          var layer = L.geoJSON(data, {
            interactive: false,
            style: { color: "#6b7280", weight: 1, fillColor: "#f3f5f8", fillOpacity: 1 },
          });
          layer.addTo(map);
          layer.bringToBack();
        });
    }
    // The map's container is announced as a region; its markers are links reachable with Tab.
    element.setAttribute("role", "region");
    return map;
  };
})();
