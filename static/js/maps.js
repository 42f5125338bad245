/* Maps for stengage, on top of the vendored Leaflet: the proposals map of a process, and the place
   picker of the proposal form. Without JavaScript the pages still work: the map page links to the
   list of the places, and the form keeps its address and coordinate fields. */
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

  // The places come from map.json for the part of the map in view, again after every move: each
  // proposal while there are few, else clusters (a count at the places' mean) that zoom in when chosen.
  function proposalsMap(element) {
    var map = baseMap(element, JSON.parse(element.dataset.bounds));
    var shown = L.layerGroup().addTo(map);
    var chosen = null;  // "Show on the map" from a proposal page: its marker stays, popup open
    var asked = 0;

    function url(extra) {
      return element.dataset.pointsUrl + (element.dataset.pointsUrl.indexOf("?") < 0 ? "?" : "&") + extra;
    }

    function get(address) {
      return fetch(address, { headers: { Accept: "application/json" } }).then(function (response) {
        if (!response.ok) { throw new Error("map.json answered " + response.status); }
        return response.json();
      });
    }

    function marker(point) {
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.title;
      return L.marker([point.lat, point.lng], { title: point.title, alt: point.title }).bindPopup(link);
    }

    function cluster(group) {
      var count = document.createElement("span");
      count.textContent = group.count;
      var name = (element.dataset.zoomIn || "+") + " (" + group.count + ")";
      var size = group.count < 10 ? 28 : group.count < 100 ? 34 : group.count < 1000 ? 40 : 46;
      return L.marker([group.lat, group.lng], {
        title: name, alt: name,
        icon: L.divIcon({ html: count, className: "map-cluster", iconSize: [size, size] })
      }).on("click", function () {
        map.setView([group.lat, group.lng], Math.min(map.getZoom() + 2, map.getMaxZoom()));
      });
    }

    function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

    function load() {
      var view = map.getBounds();
      var box = [clamp(view.getSouth(), -90, 90), clamp(view.getWest(), -180, 180),
                 clamp(view.getNorth(), -90, 90), clamp(view.getEast(), -180, 180)];
      var number = ++asked;
      get(url("bbox=" + box.map(function (v) { return v.toFixed(6); }).join(","))).then(function (data) {
        if (number !== asked) { return; }  // an answer for a view already left
        shown.clearLayers();
        data.proposals.forEach(function (point) {
          if (!chosen || chosen.id !== point.id) { shown.addLayer(marker(point)); }
        });
        data.clusters.forEach(function (group) { shown.addLayer(cluster(group)); });
        element.dataset.loaded = String(number);  // for browser tests: the view's places are drawn
      }).catch(function () { /* the list link below the map still leads to every place */ });
    }

    var wanted = /^#proposal-(\d+)$/.exec(window.location.hash);
    var start = wanted ? get(url("proposal=" + wanted[1])).catch(function () { return null; }) : Promise.resolve(null);
    start.then(function (data) {
      var point = data && data.proposals[0];
      if (point) {
        chosen = { id: point.id, layer: marker(point).addTo(map) };
        map.setView([point.lat, point.lng], 16);
        chosen.layer.openPopup();
        element.scrollIntoView();
      }
      map.on("moveend", load);
      load();
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
