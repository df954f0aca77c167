/* Relais — the directory's enhancements. Without JavaScript the form and the list work on their own;
 * with it: "around me" by the browser's geolocation, commune suggestions as you type, and the map of
 * the results kept in sync with the list.
 */
(function () {
  "use strict";
  var RADII = [2, 5, 10, 20, 50, 100];

  function $(selector, root) { return (root || document).querySelector(selector); }

  function hexToUuid(hex) {
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // --- Around me ------------------------------------------------------------------------------------
  function setUpAroundMe() {
    var button = $("#around-me");
    var form = button && button.form;
    if (!form || !("geolocation" in navigator)) return;
    var status = $("#around-me-status");
    var where = $("#id_where");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "Recherche de votre position…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          // Rounded to about 100 m: the search needs no more, and the URL is shared.
          setHidden(form, "lat", position.coords.latitude.toFixed(3));
          setHidden(form, "lon", position.coords.longitude.toFixed(3));
          removeHidden(form, "commune");
          where.value = "";
          status.textContent = "Position trouvée : recherche autour de vous.";
          form.submit();
        },
        function () {
          status.textContent =
            "Votre position n'est pas disponible (refusée ou introuvable) : indiquez votre commune ou votre code postal.";
          where.focus();
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
      );
    });
  }

  function setHidden(form, name, value) {
    var input = form.querySelector('input[type=hidden][name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function removeHidden(form, name) {
    var input = form.querySelector('input[type=hidden][name="' + name + '"]');
    if (input) input.remove();
  }

  // --- Commune suggestions ---------------------------------------------------------------------------
  function setUpWhereSuggestions() {
    var input = $("#id_where");
    var list = $("#where-suggestions");
    if (!input || !list || !input.dataset.suggestUrl) return;
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var form = input.form;
      // Typing a place replaces a position or a commune chosen earlier.
      removeHidden(form, "lat");
      removeHidden(form, "lon");
      removeHidden(form, "commune");
      var q = input.value.trim();
      if (q.length < 2 || q === last || /\(\d{5}\)$/.test(q)) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        fetch(input.dataset.suggestUrl + "?limit=8&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (communes) {
            list.textContent = "";
            communes.forEach(function (commune) {
              var option = document.createElement("option");
              var postal = commune.postal_codes.length ? commune.postal_codes[0] : commune.code_insee;
              option.value = commune.name + " (" + postal + ")";
              option.label = commune.department_name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  }

  // --- Map -------------------------------------------------------------------------------------------
  function setUpMap() {
    var element = $("#results-map");
    if (!element || !window.L || !window.Relais) return;
    var section = element.closest(".results-map");
    section.hidden = false;
    section.parentElement.classList.add("has-map");
    var map = Relais.baseMap(element);
    var placeUrl = element.dataset.placeUrl;
    var markers = {};
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    map.addLayer(cluster);

    function activate(id) {
      document.querySelectorAll(".place-list li.is-active").forEach(function (li) { li.classList.remove("is-active"); });
      var item = document.getElementById("lieu-" + id);
      if (item) {
        item.classList.add("is-active");
        item.scrollIntoView({ block: "nearest" });
      }
    }

    function popupContent(point) {
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = placeUrl.replace("00000000-0000-0000-0000-000000000000", hexToUuid(point[2]));
      link.textContent = point[3];
      box.appendChild(link);
      if (point[4]) {
        var note = document.createElement("p");
        note.textContent = "Position approximative (centre de la commune).";
        box.appendChild(note);
      }
      return box;
    }

    fetch(element.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var bounds = [];
        data.points.forEach(function (point) {
          var marker = L.marker([point[0], point[1]], { title: point[3], alt: point[3], keyboard: true });
          marker.bindPopup(function () { return popupContent(point); });
          marker.on("click", function () { activate(point[2]); });
          marker.on("keypress", function (event) {
            if (event.originalEvent.key === "Enter") { marker.openPopup(); activate(point[2]); }
          });
          markers[point[2]] = marker;
          cluster.addLayer(marker);
          bounds.push([point[0], point[1]]);
        });
        data.clusters.forEach(function (cell) {
          var size = cell[2] > 999 ? 3.2 : 2.6;
          var icon = L.divIcon({
            className: "map-cluster",
            html: String(cell[2]),
            iconSize: [size * 16, size * 16],
          });
          var marker = L.marker([cell[0], cell[1]], { icon: icon, title: cell[2] + " " + element.dataset.labelCluster, keyboard: true });
          marker.on("click", function () { map.setView([cell[0], cell[1]], Math.max(map.getZoom() + 2, 9)); });
          marker.addTo(map);
          bounds.push([cell[0], cell[1]]);
        });
        if (data.centre) {
          var circle = L.circle([data.centre[0], data.centre[1]], {
            radius: data.centre[2] * 1000, color: "#00539f", weight: 1, fill: false, interactive: false,
          }).addTo(map);
          map.fitBounds(circle.getBounds());
        } else if (bounds.length) {
          map.fitBounds(bounds, { maxZoom: 13, padding: [20, 20] });
        }
        document.querySelectorAll(".show-on-map").forEach(function (button) {
          var marker = markers[button.dataset.id];
          if (!marker) return;
          button.hidden = false;
          button.addEventListener("click", function () {
            cluster.zoomToShowLayer(marker, function () { marker.openPopup(); });
            activate(button.dataset.id);
            element.scrollIntoView({ block: "nearest" });
          });
        });
        element.dataset.ready = "1";
        setUpSearchArea(map);
      })
      .catch(function () { element.dataset.ready = "error"; });
  }

  // "Search in this area": the map's view becomes the search (a new URL: shareable, back/forward work).
  function setUpSearchArea(map) {
    var button = $("#search-area");
    var form = document.querySelector("form.directory-search");
    if (!button || !form) return;
    // Only a move by the user offers the button (not the initial fit on the results).
    var touched = false;
    ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (type) {
      map.getContainer().addEventListener(type, function () { touched = true; }, { passive: true });
    });
    map.on("moveend", function () { if (touched) button.hidden = false; });
    button.addEventListener("click", function () {
      var centre = map.getCenter();
      var corner = map.getBounds().getNorthEast();
      var halfDiagonalKm = centre.distanceTo(corner) / 1000;
      var radius = RADII.find(function (r) { return r >= halfDiagonalKm * 0.7; }) || RADII[RADII.length - 1];
      var params = new URLSearchParams(new FormData(form));
      params.delete("where");
      params.delete("commune");
      params.delete("page");
      params.set("lat", centre.lat.toFixed(3));
      params.set("lon", centre.lng.toFixed(3));
      params.set("radius", String(radius));
      for (var [key, value] of Array.from(params.entries())) {
        if (value === "") params.delete(key);
      }
      window.location.assign(form.action + "?" + params.toString());
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAroundMe();
    setUpWhereSuggestions();
    setUpMap();
  });
})();
