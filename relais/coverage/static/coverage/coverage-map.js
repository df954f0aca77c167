/* Relais — the coverage map: the communes of the analysed territory coloured by distance to the nearest
 * place (white zones drawn larger with a thick black outline), and the recommended sites numbered in pick
 * order. The data comes from the page's JSON endpoint (data-url); the texts come from data-text-*
 * attributes (translated by the page). Without JavaScript the section stays hidden: the page's tables carry
 * the same information.
 */
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
    });
  }

  function bandOf(bands, km) {
    for (var i = bands.length - 1; i >= 0; i--) {
      if (km >= bands[i].low) return bands[i];
    }
    return bands[0];
  }

  function popupContent(lines) {
    var box = document.createElement("div");
    lines.forEach(function (line, i) {
      var p = document.createElement(i === 0 ? "strong" : "p");
      p.textContent = line;
      box.appendChild(p);
    });
    return box;
  }

  function draw(map, element, data) {
    var lang = document.documentElement.lang || "fr";
    var number = function (value, digits) {
      return Number(value).toLocaleString(lang, { maximumFractionDigits: digits || 0 });
    };
    var text = element.dataset;
    // Their own pane, above the base layer (the département outline is drawn as an SVG overlay).
    map.createPane("coverage-communes").style.zIndex = 450;
    var renderer = L.canvas({ padding: 0.2, pane: "coverage-communes" });
    var communes = L.featureGroup();
    data.communes.forEach(function (row) {
      // [code INSEE, name, latitude, longitude, km to the nearest place, population]
      var km = row[4];
      var white = km > data.radius_km;
      var marker = L.circleMarker([row[2], row[3]], {
        renderer: renderer,
        radius: white ? 6 : 4,
        weight: white ? 3 : 0.6,
        color: white ? "#000000" : "#4a4a4a",
        fillColor: bandOf(data.bands, km).color,
        fillOpacity: 0.9,
      });
      marker.commune = row;
      marker.addTo(communes);
    });
    communes.bindPopup(function (layer) {
      var row = layer.commune;
      var line = fill(text.textCommune, {
        name: row[1],
        code: row[0],
        population: number(row[5]),
        km: number(row[4], 1),
      });
      return popupContent(row[4] > data.radius_km ? [line, text.textWhiteZone] : [line]);
    });
    communes.addTo(map);

    data.picks.forEach(function (pick) {
      var title = fill(text.textPick, { rank: pick.rank, name: pick.name, code: pick.code_insee });
      var icon = L.divIcon({
        className: "coverage-pick",
        html: String(pick.rank),
        iconSize: [26, 26],
        iconAnchor: [13, 13],
        popupAnchor: [0, -13],
      });
      L.marker([pick.lat, pick.lon], { icon: icon, title: title, alt: title, zIndexOffset: 1000 })
        .bindPopup(
          popupContent([
            title,
            fill(text.textPickGain, {
              population: number(pick.newly_covered),
              communes: number(pick.communes_reached),
            }),
          ])
        )
        .addTo(map);
    });
    if (data.bounds) map.fitBounds(data.bounds, { padding: [10, 10], maxZoom: 11 });
    element.dataset.state = "ready";
  }

  // The existing places (the directory's map data, same filters), clustered when many: where the distances
  // are measured from.
  function drawPlaces(map, element) {
    if (!element.dataset.placesUrl) return;
    var group = L.markerClusterGroup
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 })
      : L.featureGroup();
    fetch(element.dataset.placesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        (data.points || []).forEach(function (point) {
          // [latitude, longitude, id (32 hex digits), name, approximate]
          var hex = point[2];
          var id = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
          var marker = L.marker([point[0], point[1]], { title: point[3], alt: point[3], keyboard: true });
          marker.bindPopup(function () {
            var link = document.createElement("a");
            link.href = element.dataset.placeUrl.replace("00000000-0000-0000-0000-000000000000", id);
            link.textContent = point[3];
            return link;
          });
          group.addLayer(marker);
        });
        (data.clusters || []).forEach(function (cell) {
          var icon = L.divIcon({ className: "map-cluster", html: String(cell[2]), iconSize: [40, 40] });
          L.marker([cell[0], cell[1]], { icon: icon, title: cell[2] + " " + element.dataset.textPlaces, keyboard: true })
            .on("click", function () { map.setView([cell[0], cell[1]], Math.max(map.getZoom() + 2, 9)); })
            .addTo(group);
        });
        group.addTo(map);
        element.dataset.places = "ready";
      })
      .catch(function () { element.dataset.places = "error"; });
  }

  function init() {
    var section = document.getElementById("coverage-map-section");
    var element = document.getElementById("coverage-map");
    if (!section || !element || !window.L || !window.Relais) return;
    section.hidden = false;
    document.querySelectorAll(".legend-swatch[data-color]").forEach(function (swatch) {
      swatch.style.backgroundColor = swatch.dataset.color;
    });
    var map = Relais.baseMap(element);
    fetch(element.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        draw(map, element, data);
        drawPlaces(map, element);
      })
      .catch(function () {
        var message = document.createElement("p");
        message.className = "message message-error";
        message.textContent = element.dataset.textError;
        map.remove();
        element.replaceWith(message);
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
