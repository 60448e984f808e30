/* Case-log form enhancements. The form works without this file: every kelurahan is listed,
   grouped by kecamatan, and the server checks that the two agree. */
(function () {
  "use strict";
  var kecamatan = document.querySelector("[data-kecamatan-select]");
  var kelurahan = document.querySelector("[data-kelurahan-select]");
  var outside = document.querySelector("[data-outside-city]");
  if (!kecamatan) { return; }

  var blank = null;
  var groups = [];
  if (kelurahan) {
    Array.prototype.forEach.call(kelurahan.children, function (child) {
      if (child.tagName === "OPTGROUP") { groups.push(child); } else if (!blank) { blank = child; }
    });
  }

  function groupOf(option) {
    return option ? option.getAttribute("data-kecamatan") : null;
  }

  function filterKelurahan() {
    if (!kelurahan) { return; }
    var chosen = kecamatan.value;
    var current = kelurahan.value;
    var currentOption = kelurahan.querySelector("option[value='" + current + "']");
    while (kelurahan.firstChild) { kelurahan.removeChild(kelurahan.firstChild); }
    if (blank) { kelurahan.appendChild(blank); }
    var outsideCity = chosen === "luar_kota";
    groups.forEach(function (group) {
      // No kecamatan yet: every group, as without JavaScript. Outside the city: none.
      var matches = !chosen || groupOf(group.querySelector("option")) === chosen;
      if (!outsideCity && matches) { kelurahan.appendChild(group); }
    });
    kelurahan.disabled = outsideCity;
    var keep = currentOption && (!chosen || groupOf(currentOption) === chosen);
    kelurahan.value = keep ? current : "";
  }

  function toggleOutside() {
    if (outside) { outside.hidden = kecamatan.value !== "luar_kota"; }
  }

  kecamatan.addEventListener("change", function () { filterKelurahan(); toggleOutside(); });
  filterKelurahan();
  toggleOutside();
})();
