/* Relais — the base of every map: tiles from the operator's tile server when one is configured (TILE_URL),
 * otherwise the vector basemap served by Relais itself (/carte/fond.pmtiles, drawn with protomaps-leaflet:
 * régions, départements, names of the communes), otherwise the outline of the départements. No
 * third-party request, no web font: labels use the system's sans-serif.
 *
 * Usage: const map = Relais.baseMap(element); the element carries
 *   data-tile-url, data-tile-attribution (optional), data-basemap-url (optional) and data-outline-url.
 */
(function () {
  "use strict";
  var Relais = (window.Relais = window.Relais || {});

  // The style of Relais' own basemap (relais/territory/vectortiles.py): light land, grey outlines, dark
  // names on a white halo (contrast above 12:1), larger and bolder for larger towns.
  var INK = "#111827";
  var HALO = "#ffffff";
  var FONT = 'system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif';

  function placeFont(zoom, feature) {
    var props = feature.props;
    var population = props.population || 0;
    var size = population >= 200000 ? 17 : population >= 50000 ? 15 : population >= 10000 ? 14 : 13;
    var weight = props.rank === 1 || population >= 200000 ? 700 : props.rank === 2 || population >= 50000 ? 600 : 400;
    return weight + " " + size + "px " + FONT;
  }

  function relaisRules(P) {
    return {
      backgroundColor: "#dbe4ee",
      paintRules: [
        { dataLayer: "departments", symbolizer: new P.PolygonSymbolizer({ fill: "#f8f7f3" }) },
        {
          dataLayer: "departments",
          symbolizer: new P.LineSymbolizer({ color: "#6b7280", width: function (z) { return z < 7 ? 0.8 : 1.2; } }),
        },
        {
          dataLayer: "regions",
          symbolizer: new P.LineSymbolizer({ color: "#374151", width: function (z) { return z < 7 ? 1.4 : 2.2; } }),
        },
      ],
      labelRules: [
        {
          dataLayer: "places",
          // Some room around each name: a crowded map is harder to read than a sparser one.
          symbolizer: new P.Padding(6, new P.CenteredTextSymbolizer({ labelProps: ["name"], font: placeFont, fill: INK, stroke: HALO, width: 3 })),
          sort: function (a, b) { return (a.rank - b.rank) || (b.population - a.population); },
        },
        {
          dataLayer: "region_labels",
          symbolizer: new P.CenteredTextSymbolizer({
            labelProps: ["name"], font: "600 13px " + FONT, textTransform: "uppercase", letterSpacing: 1,
            fill: "#374151", stroke: HALO, width: 3,
          }),
        },
        {
          dataLayer: "department_labels",
          symbolizer: new P.CenteredTextSymbolizer({
            labelProps: ["name"], font: "italic 13px " + FONT, fill: "#374151", stroke: HALO, width: 3,
          }),
        },
      ],
    };
  }

  function vectorBasemap(map, url) {
    var P = window.protomapsL;
    var source = new P.PmtilesSource(url, true);
    Promise.all([source.p.getHeader(), source.p.getMetadata()]).then(function (results) {
      var header = results[0];
      var metadata = results[1] || {};
      // Relais' own file, or an operator's full extract in the Protomaps schema (drawn in its light flavour).
      var ours = metadata.generator === "relais";
      var options = ours ? relaisRules(P) : { flavor: "light", lang: "fr" };
      options.url = source.p;
      options.maxDataZoom = header.maxZoom;
      options.attribution = metadata.attribution || "";
      var layer = P.leafletLayer(options);
      layer.addTo(map);
      layer.bringToBack();
    });
  }

  Relais.baseMap = function (element, options) {
    var map = L.map(element, Object.assign({ keyboard: true, zoomSnap: 0.5, minZoom: 4, maxZoom: 18 }, options || {}));
    map.setView([46.6, 2.4], 5.5);
    var tileUrl = element.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: element.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else if (element.dataset.basemapUrl && window.protomapsL) {
      element.classList.add("map-outline");
      vectorBasemap(map, element.dataset.basemapUrl);
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
