/* Relais — small maps of a few places (a place's page, a territory's page): every `.map[data-point-map]`
 * element gets the base map (basemap.js) and one marker per point, from data-lat/data-lon/data-name, or
 * from the JSON script named by data-points-id: [[latitude, longitude, name, url], …]. The element stays
 * hidden without JavaScript: the page says the same in text (address, list of places).
 */
(function () {
  "use strict";

  function pointsOf(element) {
    if (element.dataset.pointsId) {
      var script = document.getElementById(element.dataset.pointsId);
      return script ? JSON.parse(script.textContent) : [];
    }
    if (element.dataset.lat && element.dataset.lon) {
      return [[Number(element.dataset.lat), Number(element.dataset.lon), element.dataset.name || "", ""]];
    }
    return [];
  }

  function popup(point) {
    var link = document.createElement("a");
    link.href = point[3];
    link.textContent = point[2];
    return link;
  }

  function init() {
    if (!window.L || !window.Relais) return;
    document.querySelectorAll(".map[data-point-map]").forEach(function (element) {
      var points = pointsOf(element);
      if (!points.length) return;
      element.hidden = false;
      var map = Relais.baseMap(element, { scrollWheelZoom: false });
      var group = points.length > 50 && L.markerClusterGroup
        ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 })
        : L.featureGroup();
      points.forEach(function (point) {
        var marker = L.marker([point[0], point[1]], { title: point[2], alt: point[2], keyboard: true });
        if (point[3]) marker.bindPopup(function () { return popup(point); });
        group.addLayer(marker);
      });
      group.addTo(map);
      if (points.length === 1) map.setView([points[0][0], points[0][1]], Number(element.dataset.zoom) || 13);
      else map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 12 });
      element.dataset.ready = "1";
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
