/* Maps for stengage, on top of the vendored Leaflet: the proposals map of a process, and the place
   picker of the proposal form. Without JavaScript the pages still work: the map page lists the
   places, and the form keeps its address and coordinate fields. */
(function () {
  "use strict";

  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

  function baseMap(element, bounds) {
    var map = L.map(element, { maxBounds: L.latLngBounds(bounds).pad(0.25), scrollWheelZoom: false,
                               zoomControl: false });
    // Leaflet's own buttons speak English; the page gives their names in the visitor's language.
    L.control.zoom({ zoomInTitle: element.dataset.zoomIn || "+", zoomOutTitle: element.dataset.zoomOut || "-" })
      .addTo(map);
    L.tileLayer(TILES, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
    map.fitBounds(bounds);
    return map;
  }

  function proposalsMap(element) {
    fetch(element.dataset.pointsUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var map = baseMap(element, data.bounds);
        var markers = [], byId = {};
        data.proposals.forEach(function (point) {
          var link = document.createElement("a");
          link.href = point.url;
          link.textContent = point.title;
          var marker = L.marker([point.lat, point.lon], { title: point.title, alt: point.title })
            .bindPopup(link)
            .addTo(map);
          markers.push(marker);
          byId[point.id] = marker;
        });
        // "Show on the map" from a proposal page: that proposal's marker, opened, with the map in view.
        var wanted = /^#proposal-(\d+)$/.exec(window.location.hash);
        var chosen = wanted ? byId[wanted[1]] : null;
        if (chosen) {
          map.setView(chosen.getLatLng(), 16);
          chosen.openPopup();
          element.scrollIntoView();
        } else if (markers.length) {
          map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2), { maxZoom: 16 });
        }
      });
  }

  function locationPicker(element) {
    var form = element.closest("form");
    var lat = form.querySelector("input[name=latitude]");
    var lon = form.querySelector("input[name=longitude]");
    var clear = form.querySelector("#clear-location");
    var bounds = JSON.parse(element.dataset.bounds);
    var area = L.latLngBounds(bounds);
    element.hidden = false;
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = element.dataset.label;
    element.parentNode.insertBefore(hint, element);
    // Says why a click or a drag outside the area placed nothing (read out by screen readers too).
    var status = document.createElement("p");
    status.className = "field-errors";
    status.setAttribute("role", "status");
    element.parentNode.insertBefore(status, element.nextSibling);
    var map = baseMap(element, bounds);
    var marker = null;

    function place(latlng) {
      if (!area.contains(latlng)) {  // the server refuses places outside the area too
        status.textContent = element.dataset.outside || "";
        if (marker && lat.value && lon.value) {  // a dragged marker goes back to the last place
          marker.setLatLng(L.latLng(parseFloat(lat.value), parseFloat(lon.value)));
        }
        return;
      }
      status.textContent = "";
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (marker) { marker.setLatLng(latlng); }
      else {
        marker = L.marker(latlng, { draggable: true, autoPan: true }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng()); });
      }
      if (clear) { clear.hidden = false; }
    }

    if (lat.value && lon.value) {
      var given = L.latLng(parseFloat(lat.value), parseFloat(lon.value));
      place(given);
      status.textContent = "";  // a refused place has its error beside the fields already
      // A place the server refused (outside the area) stays in the fields, shown by their error,
      // without a marker; a click on the map or "remove" replaces it.
      if (marker) { map.setView(marker.getLatLng(), 16); }
      else if (clear) { clear.hidden = false; }
    }
    map.on("click", function (event) { place(event.latlng); });
    if (clear) {
      clear.addEventListener("click", function () {
        lat.value = ""; lon.value = "";
        if (marker) { map.removeLayer(marker); marker = null; }
        clear.hidden = true;
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    var map = document.getElementById("proposal-map");
    if (map) { proposalsMap(map); }
    var picker = document.getElementById("location-picker");
    if (picker) { locationPicker(picker); }
  });
})();
