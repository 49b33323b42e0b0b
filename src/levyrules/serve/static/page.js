// 試算 page: add or remove a person without a round trip, show 固定資産税 only where the
// tariff has 資産割, and move the focus to the result or the errors. The form works
// without this file (the server grows the form when 世帯の人数 changes).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var persons = document.getElementById("persons");
  var count = document.getElementById("count");
  var shown = document.getElementById("shown");
  var tpl = document.getElementById("person-template");
  var tariff = document.getElementById("tariff");
  var add = document.getElementById("add");
  var remove = document.getElementById("remove");
  var max = count.options.length;

  function assetShown() {
    var opt = tariff.options[tariff.selectedIndex];
    return opt && opt.getAttribute("data-asset") === "1";
  }
  function syncAsset() {
    var on = assetShown();
    persons.querySelectorAll(".asset").forEach(function (el) { el.hidden = !on; });
  }
  function blocks() { return persons.querySelectorAll("fieldset.person"); }
  function setCount(n) {
    n = Math.max(1, Math.min(max, n));
    while (blocks().length < n) {
      var i = blocks().length + 1;
      var html = tpl.innerHTML.split("__N__").join(String(i));
      persons.insertAdjacentHTML("beforeend", html);
    }
    while (blocks().length > n) { persons.removeChild(blocks()[blocks().length - 1]); }
    count.value = String(n);
    shown.value = String(n);
    add.disabled = n >= max;
    remove.disabled = n <= 1;
    syncAsset();
  }
  add.hidden = false;
  remove.hidden = false;
  add.addEventListener("click", function () {
    setCount(blocks().length + 1);
    var last = blocks()[blocks().length - 1];
    last.querySelector("input").focus();
  });
  remove.addEventListener("click", function () { setCount(blocks().length - 1); });
  count.addEventListener("change", function () { setCount(parseInt(count.value, 10)); });
  tariff.addEventListener("change", syncAsset);
  setCount(blocks().length);
  var target = document.getElementById("errors") ? document.querySelector("[aria-invalid=true]")
                                                 : document.getElementById("result");
  if (target) { target.focus(); }
});
